/* The engine's bookkeeping in C: the optional accelerator of autograd/value.py and autograd/backward.py.

   The Python in value.py and backward.py is the specification; this file does the same steps, in the same
   order, with the same floating-point operations, so the two give bit-for-bit the same numbers (the test
   suite runs in both modes: MICRO_AUTOGRAD_PURE_PYTHON=1 selects the Python), NaN signs aside (below). The
   formulas themselves, each operation's forward value and local derivatives, stay in value.py's table and
   are called from here.

   Why C at all: a Python object that refers to other objects is tracked by CPython's cycle collector, which
   walks every live node again and again while a big graph is being built. A graph of plain Values has no
   cycle (the record is read-only, inputs are older than the node, labels are exact str), so such a node is
   left untracked and freed by reference counting alone; only nodes made from a Value subclass instance,
   which can refer back to them, are tracked (node_traverse). The node also keeps its numbers unboxed (96
   bytes of fields and the collector's 16-byte header, no float objects), and the method calls, the
   topological order and the sweep run without Python frames.

   The contract is the Python node's, exactly (tests/test_accelerator.py compares the messages): data and
   grad take a float or an int (converted; bool refused), label a str (stored as a plain str), and a refused
   assignment changes nothing; the record (_op, _x, _dx, _y, _dy, _constant) is read-only.

   NaN signs. IEEE 754 leaves unspecified the sign and payload of the NaN an addition or a multiplication
   returns when BOTH operands are NaN. x86-64 (SSE2) and AArch64 return the first operand's NaN, and which
   operand is first is the compiler's choice, not the source's: this file's `grad += local * upstream`
   returns the contribution's NaN (and the local derivative's in the product); CPython 3.11 returns b's NaN
   for a + b and a * b of two floats in its float type's own addition (operator.add, and a BINARY_OP not
   yet specialised) but a's NaN once the interpreter has specialised that line (BINARY_OP_ADD_FLOAT, after
   a few runs). So where two NaNs of opposite signs meet in the backward sweep (a NaN local derivative times
   a NaN gradient, or two NaN contributions to one gradient: x * nan + x * -nan), the resulting gradient is
   a NaN whose sign bit can differ between the implementations, and between two runs of the Python one.
   Nothing else differs: forward values and local derivatives come from the same Python formulas, called
   the same way; a NaN made from numbers (inf - inf, 0 * inf) is the same default NaN in both; a NaN that
   meets a number keeps its sign, and negation flips it, in both.

   What is here, each mirroring its Python twin:
     Value                 the node (value.py: class Value, its fields' properties, its __init__ fast path)
     make_leaf()           value.py: _make_leaf            make_node()        value.py: the node each method makes
     binary_method(op)     value.py: _binary_method        unary_method(op)   value.py: _unary_method
     topological_order()   backward.py: topological_order  chain_rule(order)  backward.py: chain_rule
*/
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

/* setup.py stamps the build with the SHA-256 of this file; accelerator.py compares it with the _native.c
   beside the extension and sets a stale build aside. A build without the stamp is treated as stale too. */
#ifndef NATIVE_SOURCE_SHA256
#define NATIVE_SOURCE_SHA256 "unknown"
#endif

/* --- what value.py hands over at import (configure) ------------------------------------------------------ */

static PyObject *mode_var;      /* grad_mode._mode, the ContextVar of the active Mode */
static PyObject *record_mode;   /* grad_mode.RECORD, the default Mode */
static PyObject *apply_mode;    /* value._apply_mode(node, mode): the uncommon modes; false: cut the record */
static PyObject *as_number;     /* value._as_number(other): a plain operand as a float, or None */
static PyObject *python_init;   /* the reference Value.__init__, for every call the fast path does not take */
static PyObject *check_number;  /* value._checked_number(value, field): what data or grad may be, as a float */
static PyObject *check_label;   /* value._checked_label(label): a label as a plain str */
static PyObject *autograd_error; /* errors.AutogradError: raised as is, never rewrapped */
static PyObject *empty_label;   /* "" */
static PyTypeObject *value_type;

/* --- the node ----------------------------------------------------------------------------------------- */

typedef struct Node {
    PyObject_HEAD
    double data;
    double grad;
    PyObject *label;  /* always an exact str: a str subclass could refer back to the node */
    /* The record, fixed when the node is made (read-only from Python), so no cycle can go through it: */
    PyObject *op;     /* the Operation that made this node, or NULL for a leaf */
    struct Node *x;   /* the Value inputs, or NULL */
    struct Node *y;
    double dx;        /* d(self)/d(x), d(self)/d(y) */
    double dy;
    double constant;  /* the plain number folded into a binary operation (the 2 of x * 2 or 2 - x), else 0.0 */
    unsigned long long visit; /* the last topological_order() that reached this node */
} Node;

#define IS_NODE(o) PyObject_TypeCheck((o), value_type)

static unsigned long long traversals; /* topological_order() calls so far: each marks the nodes it reaches */

static PyObject *
node_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    Node *self = (Node *)type->tp_alloc(type, 0); /* zeroed numbers and links; tracked by the collector */
    if (self == NULL)
        return NULL;
    self->label = Py_NewRef(empty_label);
    if (type == value_type) /* a plain leaf refers to nothing that could lead back to it */
        PyObject_GC_UnTrack(self);
    return (PyObject *)self; /* a subclass instance stays tracked: its __dict__ can hold anything */
}

/* Freeing a chain a million nodes deep must not recurse a million C frames: an input that dies with its
   node is put aside here and freed by the outermost node_dealloc, one at a time. */
static Node **dying;
static Py_ssize_t dying_count, dying_capacity;
static int freeing;

static void
release_input(Node *input)
{
    if (input == NULL)
        return;
    if (Py_REFCNT(input) == 1 && Py_IS_TYPE(input, value_type)) {
        if (dying_count == dying_capacity) {
            Py_ssize_t capacity = dying_capacity ? 2 * dying_capacity : 1024;
            Node **grown = PyMem_Realloc(dying, (size_t)capacity * sizeof(Node *));
            if (grown == NULL) { /* no memory to defer: free it now, recursing */
                Py_DECREF(input);
                return;
            }
            dying = grown;
            dying_capacity = capacity;
        }
        dying[dying_count++] = input; /* our reference moves to the list */
        return;
    }
    Py_DECREF(input);
}

/* value.py's _make_leaf: data and label already checked. Used by __init__ (again, too: a fresh leaf). */
static void
set_leaf(Node *self, double data, PyObject *label)
{
    PyObject *old_label = self->label, *op = self->op;
    Node *x = self->x, *y = self->y;
    self->data = data;
    self->grad = 0.0;
    self->label = Py_NewRef(label);
    self->op = NULL;
    self->x = self->y = NULL;
    self->dx = self->dy = self->constant = 0.0;
    Py_XDECREF(old_label); /* last: freeing what was there may run any code */
    Py_XDECREF(op);
    Py_XDECREF(x);
    Py_XDECREF(y);
}

static int
node_init(Node *self, PyObject *args, PyObject *kwds)
{
    /* Value(1.5) and Value(1.5, "w1"): the common calls. Anything else goes to value.py's __init__, which
       converts ints, refuses bad types with its message, and checks the label. */
    Py_ssize_t n = PyTuple_GET_SIZE(args);
    if (kwds == NULL && (n == 1 || n == 2) && PyFloat_CheckExact(PyTuple_GET_ITEM(args, 0)) &&
        (n == 1 || PyUnicode_CheckExact(PyTuple_GET_ITEM(args, 1)))) {
        set_leaf(self, PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(args, 0)), n == 2 ? PyTuple_GET_ITEM(args, 1) : empty_label);
        return 0;
    }
    if (python_init == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "autograd._native is used before value.py configured it");
        return -1;
    }
    PyObject *with_self = PyTuple_New(n + 1);
    if (with_self == NULL)
        return -1;
    PyTuple_SET_ITEM(with_self, 0, Py_NewRef(self));
    for (Py_ssize_t i = 0; i < n; i++)
        PyTuple_SET_ITEM(with_self, i + 1, Py_NewRef(PyTuple_GET_ITEM(args, i)));
    PyObject *result = PyObject_Call(python_init, with_self, kwds);
    Py_DECREF(with_self);
    if (result == NULL)
        return -1;
    Py_DECREF(result);
    return 0;
}

static PyObject *
make_leaf(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3 || !IS_NODE(args[0]) || !PyFloat_CheckExact(args[1]) || !PyUnicode_CheckExact(args[2])) {
        PyErr_SetString(PyExc_TypeError, "make_leaf() takes a Value, a float and a str");
        return NULL;
    }
    set_leaf((Node *)args[0], PyFloat_AS_DOUBLE(args[1]), args[2]);
    Py_RETURN_NONE;
}

/* The cycle collector. A graph of plain Values has no cycle: its record is read-only, a node's inputs are
   older than the node, and its label is an exact str. Only a subclass instance (its __dict__ or slots) can
   refer back to a node made from it (a.out = a * 2), so a node is tracked when it is a subclass instance or
   when one of its inputs is tracked: every node of such a cycle is then visible to the collector, and a
   plain graph costs it nothing. */
static int
node_traverse(Node *self, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(self->label);
    Py_VISIT(self->op);
    Py_VISIT(self->x);
    Py_VISIT(self->y);
    return 0;
}

static int
node_clear(Node *self) /* the collector breaking a cycle: the node becomes a leaf before it is freed */
{
    Py_CLEAR(self->op);
    Py_CLEAR(self->x);
    Py_CLEAR(self->y);
    self->dx = self->dy = self->constant = 0.0;
    return 0;
}

static void
node_dealloc(Node *self)
{
    PyTypeObject *type = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    Node *x = self->x, *y = self->y;
    Py_CLEAR(self->label);
    Py_CLEAR(self->op);
    type->tp_free((PyObject *)self);
    Py_DECREF(type); /* instances of a heap type hold a reference to it */
    release_input(x);
    release_input(y);
    if (freeing)
        return;
    freeing = 1;
    while (dying_count > 0) {
        Node *next = dying[--dying_count];
        Py_DECREF(next);
    }
    freeing = 0;
}

/* The fields as Python sees them, the same as value.py's properties: data, grad and label check what is
   assigned (a refused assignment changes nothing); the record is read-only. */
typedef struct {
    const char *name;
    size_t offset;
} Field;

static inline void *
field_of(Node *self, void *field)
{
    return (char *)self + ((Field *)field)->offset;
}

static PyObject *
get_number(Node *self, void *field)
{
    return PyFloat_FromDouble(*(double *)field_of(self, field));
}

static PyObject *
get_object(Node *self, void *field)
{
    PyObject *object = *(PyObject **)field_of(self, field);
    return Py_NewRef(object != NULL ? object : Py_None);
}

static int
refuse_deletion(void *field)
{
    PyErr_Format(PyExc_AttributeError, "Value %s cannot be deleted", ((Field *)field)->name);
    return -1;
}

static int
set_number(Node *self, PyObject *value, void *field)
{
    if (value == NULL)
        return refuse_deletion(field);
    if (PyFloat_CheckExact(value)) {
        *(double *)field_of(self, field) = PyFloat_AS_DOUBLE(value);
        return 0;
    }
    PyObject *number = PyObject_CallFunction(check_number, "Os", value, ((Field *)field)->name);
    if (number == NULL)
        return -1;
    double checked = PyFloat_AsDouble(number);
    Py_DECREF(number);
    if (checked == -1.0 && PyErr_Occurred())
        return -1;
    *(double *)field_of(self, field) = checked;
    return 0;
}

static int
set_label(Node *self, PyObject *value, void *field)
{
    if (value == NULL)
        return refuse_deletion(field);
    PyObject *label = PyUnicode_CheckExact(value) ? Py_NewRef(value) : PyObject_CallOneArg(check_label, value);
    if (label == NULL)
        return -1;
    Py_SETREF(self->label, label);
    return 0;
}

static int
refuse_record(Node *self, PyObject *value, void *field)
{
    PyErr_Format(PyExc_AttributeError, "%s is read-only: a Value's record is fixed when the node is made",
                 ((Field *)field)->name);
    return -1;
}

static Field data_field = {"data", offsetof(Node, data)}, grad_field = {"grad", offsetof(Node, grad)},
             label_field = {"label", offsetof(Node, label)}, op_field = {"_op", offsetof(Node, op)},
             x_field = {"_x", offsetof(Node, x)}, dx_field = {"_dx", offsetof(Node, dx)},
             y_field = {"_y", offsetof(Node, y)}, dy_field = {"_dy", offsetof(Node, dy)},
             constant_field = {"_constant", offsetof(Node, constant)};

static PyGetSetDef node_getset[] = {
    {"data", (getter)get_number, (setter)set_number, "the number", &data_field},
    {"grad", (getter)get_number, (setter)set_number, "d(output)/d(this node), filled in by backward()", &grad_field},
    {"label", (getter)get_object, (setter)set_label, "a name for drawings and messages", &label_field},
    {"_op", (getter)get_object, (setter)refuse_record, NULL, &op_field},
    {"_x", (getter)get_object, (setter)refuse_record, NULL, &x_field},
    {"_dx", (getter)get_number, (setter)refuse_record, NULL, &dx_field},
    {"_y", (getter)get_object, (setter)refuse_record, NULL, &y_field},
    {"_dy", (getter)get_number, (setter)refuse_record, NULL, &dy_field},
    {"_constant", (getter)get_number, (setter)refuse_record, NULL, &constant_field},
    {NULL},
};

static PyType_Slot node_slots[] = {
    {Py_tp_new, node_new},
    {Py_tp_init, node_init},
    {Py_tp_dealloc, node_dealloc},
    {Py_tp_traverse, node_traverse},
    {Py_tp_clear, node_clear},
    {Py_tp_getset, node_getset},
    {0, NULL},
};

static PyType_Spec node_spec = {
    .name = "autograd.value.Value",
    .basicsize = sizeof(Node),
    /* HAVE_GC for the few nodes that can be in a cycle; the others are never tracked (see node_traverse). */
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .slots = node_slots,
};

/* --- making a node: the steps of value.py's apply_unary and apply_binary after the formulas ----------------- */

static PyObject *
make_node(double out, PyObject *op, Node *x, double dx, Node *y, double dy, double constant)
{
    Node *node = PyObject_GC_New(Node, value_type); /* not tracked yet; every field set below */
    if (node == NULL)
        return NULL;
    node->data = out;
    node->grad = 0.0;
    node->label = Py_NewRef(empty_label);
    node->op = Py_NewRef(op);
    node->x = (Node *)Py_NewRef(x);
    node->dx = dx;
    node->y = (Node *)Py_XNewRef(y);
    node->dy = dy;
    node->constant = constant;
    node->visit = 0;
    PyObject *mode;
    if (PyContextVar_Get(mode_var, NULL, &mode) < 0) {
        Py_DECREF(node);
        return NULL;
    }
    if (mode != record_mode) { /* the uncommon modes: value.py's _apply_mode */
        PyObject *keep = PyObject_CallFunctionObjArgs(apply_mode, (PyObject *)node, mode, NULL);
        int keep_record = keep == NULL ? -1 : PyObject_IsTrue(keep);
        Py_XDECREF(keep);
        if (keep_record < 0)
            Py_CLEAR(node);
        else if (!keep_record) /* no_grad: the result is a new leaf */
            set_leaf(node, out, empty_label);
    }
    Py_DECREF(mode);
    if (node != NULL && ((node->x != NULL && PyObject_GC_IsTracked((PyObject *)node->x)) ||
                         (node->y != NULL && PyObject_GC_IsTracked((PyObject *)node->y))))
        PyObject_GC_Track(node); /* made from a tracked node: it may be part of that node's cycle */
    return (PyObject *)node;
}

/* --- the methods: value.py's _unary_method and _binary_method ------------------------------------------ */

typedef struct {
    PyObject_HEAD
    PyObject *op;          /* the Operation; never NULL (only make_method makes a Method) */
    PyObject *forward;     /* op.forward */
    PyObject *local_grads; /* op.local_grads */
    PyObject *name;        /* the first attribute name it was given in the class (__set_name__), or NULL */
    int arity;
    int reflected;         /* the plain number is the left operand: 2 - x */
    vectorcallfunc vectorcall;
} Method;

/* Never reached (only make_method makes a Method, and it sets op), but a Method without one must not crash. */
static PyObject *
no_operation(void)
{
    PyErr_SetString(PyExc_TypeError, "this Value method has no operation");
    return NULL;
}

/* value.py's `except (ArithmeticError, ValueError)`: turn Python's arithmetic error into the engine's,
   naming the call (op.error), and raise it `from None`; an engine error passes through untouched. */
static PyObject *
raise_engine_error(Method *method, double x, double y)
{
    if (!PyErr_ExceptionMatches(PyExc_ArithmeticError) && !PyErr_ExceptionMatches(PyExc_ValueError))
        return NULL;
    if (PyErr_ExceptionMatches(autograd_error))
        return NULL;
    PyObject *type, *cause, *traceback;
    PyErr_Fetch(&type, &cause, &traceback);
    PyErr_NormalizeException(&type, &cause, &traceback);
    PyObject *engine_error = method->arity == 1
        ? PyObject_CallMethod(method->op, "error", "Od", cause, x)
        : PyObject_CallMethod(method->op, "error", "Odd", cause, x, y);
    Py_XDECREF(type);
    Py_XDECREF(cause);
    Py_XDECREF(traceback);
    if (engine_error == NULL)
        return NULL;
    PyException_SetCause(engine_error, NULL); /* `from None` */
    PyErr_SetObject((PyObject *)Py_TYPE(engine_error), engine_error);
    Py_DECREF(engine_error);
    return NULL;
}

static PyObject *
apply_unary(Method *method, Node *self)
{
    double x = self->data;
    PyObject *x_object = PyFloat_FromDouble(x);
    if (x_object == NULL)
        return NULL;
    PyObject *node = NULL, *local = NULL;
    PyObject *out = PyObject_CallOneArg(method->forward, x_object);
    if (out == NULL)
        goto done;
    PyObject *grad_args[2] = {x_object, out};
    local = PyObject_Vectorcall(method->local_grads, grad_args, 2, NULL);
    if (local == NULL)
        goto done;
    double out_number = PyFloat_AsDouble(out), dx = PyFloat_AsDouble(local);
    if (PyErr_Occurred())
        goto done;
    node = make_node(out_number, method->op, self, dx, NULL, 0.0, 0.0);
done:
    Py_DECREF(x_object);
    Py_XDECREF(out);
    Py_XDECREF(local);
    return node != NULL ? node : raise_engine_error(method, x, 0.0);
}

static PyObject *
apply_binary(Method *method, Node *self, PyObject *other)
{
    Node *y_node = NULL;
    double y;
    if (IS_NODE(other)) {
        y_node = (Node *)other;
        y = y_node->data;
    }
    else if (PyFloat_CheckExact(other)) {
        y = PyFloat_AS_DOUBLE(other);
    }
    else {
        PyObject *number = PyObject_CallOneArg(as_number, other);
        if (number == NULL)
            return NULL;
        if (number == Py_None) { /* Python then raises TypeError naming the operator and both types */
            Py_DECREF(number);
            Py_RETURN_NOTIMPLEMENTED;
        }
        y = PyFloat_AsDouble(number);
        Py_DECREF(number);
        if (y == -1.0 && PyErr_Occurred())
            return NULL;
    }
    double x = self->data;
    if (method->reflected) { /* 2 - self: the plain number is the left operand */
        double swap = x;
        x = y;
        y = swap;
    }
    PyObject *node = NULL, *out = NULL, *locals = NULL;
    PyObject *x_object = PyFloat_FromDouble(x), *y_object = PyFloat_FromDouble(y);
    if (x_object == NULL || y_object == NULL)
        goto done;
    PyObject *forward_args[2] = {x_object, y_object};
    out = PyObject_Vectorcall(method->forward, forward_args, 2, NULL);
    if (out == NULL)
        goto done;
    PyObject *grad_args[3] = {x_object, y_object, out};
    locals = PyObject_Vectorcall(method->local_grads, grad_args, 3, NULL);
    if (locals == NULL)
        goto done;
    if (!PyTuple_Check(locals) || PyTuple_GET_SIZE(locals) != 2) {
        PyErr_Format(PyExc_TypeError, "%R: local_grads must return a pair", method->op);
        goto done;
    }
    double out_number = PyFloat_AsDouble(out);
    double dx = PyFloat_AsDouble(PyTuple_GET_ITEM(locals, 0)), dy = PyFloat_AsDouble(PyTuple_GET_ITEM(locals, 1));
    if (PyErr_Occurred())
        goto done;
    if (y_node != NULL)
        node = make_node(out_number, method->op, self, dx, y_node, dy, 0.0);
    /* One Value input: the plain number is kept in its own field (see value.py). */
    else if (method->reflected)
        node = make_node(out_number, method->op, self, dy, NULL, 0.0, x);
    else
        node = make_node(out_number, method->op, self, dx, NULL, 0.0, y);
done:
    Py_XDECREF(x_object);
    Py_XDECREF(y_object);
    Py_XDECREF(out);
    Py_XDECREF(locals);
    return node != NULL ? node : raise_engine_error(method, x, y);
}

static PyObject *
method_call(Method *method, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    if (mode_var == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "autograd._native is used before value.py configured it");
        return NULL;
    }
    if (method->op == NULL)
        return no_operation();
    if (kwnames != NULL || nargs != method->arity || !IS_NODE(args[0])) {
        PyObject *name = PyObject_GetAttrString(method->op, "name");
        if (name != NULL) {
            PyErr_Format(PyExc_TypeError, "Value operation %R takes a Value%s", name,
                         method->arity == 2 ? " and one operand" : " and nothing else");
            Py_DECREF(name);
        }
        return NULL;
    }
    if (method->arity == 1)
        return apply_unary(method, (Node *)args[0]);
    return apply_binary(method, (Node *)args[0], args[1]);
}

static PyObject *
method_get(PyObject *self, PyObject *instance, PyObject *owner)
{
    if (instance == NULL || instance == Py_None) { /* Value.relu: the plain function */
        Py_INCREF(self);
        return self;
    }
    return PyMethod_New(self, instance);
}

/* A method is named after its attribute, as a method written in the class would be: __name__ "relu" or
   "__add__", __qualname__ "Value.relu"; pickle and copy take it by that name. */
static PyObject *
method_set_name(Method *method, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyUnicode_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "__set_name__(owner, name) takes a class and a str");
        return NULL;
    }
    if (method->name == NULL) /* __add__ = __radd__ = ...: the first name stays */
        method->name = Py_NewRef(args[1]);
    Py_RETURN_NONE;
}

static PyObject *
method_name(Method *method, void *qualified)
{
    if (method->op == NULL)
        return no_operation();
    if (method->name == NULL)
        return PyObject_GetAttrString(method->op, "name");
    return qualified ? PyUnicode_FromFormat("Value.%U", method->name) : Py_NewRef(method->name);
}

static PyObject *
method_reduce(Method *method, PyObject *unused)
{
    if (method->name == NULL) {
        PyErr_Format(PyExc_TypeError, "cannot pickle %R: it is no attribute of Value", (PyObject *)method);
        return NULL;
    }
    PyObject *getattr_function = PyDict_GetItemString(PyEval_GetBuiltins(), "getattr"); /* borrowed */
    if (getattr_function == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "the builtin getattr is missing");
        return NULL;
    }
    return Py_BuildValue("O(OO)", getattr_function, (PyObject *)value_type, method->name); /* getattr(Value, name) */
}

static PyObject *
method_repr(Method *method)
{
    if (method->op == NULL)
        return no_operation();
    return PyUnicode_FromFormat("<Value method %R>", method->op);
}

static void
method_dealloc(Method *method)
{
    PyTypeObject *type = Py_TYPE(method);
    PyObject_GC_UnTrack(method);
    Py_CLEAR(method->op);
    Py_CLEAR(method->forward);
    Py_CLEAR(method->local_grads);
    Py_CLEAR(method->name);
    type->tp_free((PyObject *)method);
    Py_DECREF(type);
}

static int
method_traverse(Method *method, visitproc visit, void *arg)
{
    Py_VISIT(method->op);
    Py_VISIT(method->forward);
    Py_VISIT(method->local_grads);
    Py_VISIT(Py_TYPE(method));
    return 0;
}

static PyMethodDef method_methods[] = {
    {"__set_name__", (PyCFunction)(void (*)(void))method_set_name, METH_FASTCALL, NULL},
    {"__reduce__", (PyCFunction)method_reduce, METH_NOARGS, NULL},
    {NULL},
};

static PyGetSetDef method_getset[] = {
    {"__name__", (getter)method_name, NULL, NULL, NULL},
    {"__qualname__", (getter)method_name, NULL, NULL, (void *)1},
    {NULL},
};

static PyMemberDef method_members[] = {
    {"operation", T_OBJECT, offsetof(Method, op), READONLY, "the Operation this method applies"},
    {"__vectorcalloffset__", T_PYSSIZET, offsetof(Method, vectorcall), READONLY, NULL},
    {NULL},
};

static PyType_Slot method_slots[] = {
    {Py_tp_dealloc, method_dealloc},
    {Py_tp_traverse, method_traverse},
    {Py_tp_call, PyVectorcall_Call},
    {Py_tp_descr_get, method_get},
    {Py_tp_methods, method_methods},
    {Py_tp_getset, method_getset},
    {Py_tp_members, method_members},
    {Py_tp_repr, method_repr},
    {0, NULL},
};

static PyType_Spec method_spec = {
    .name = "autograd._native.Method",
    .basicsize = sizeof(Method),
    /* METHOD_DESCRIPTOR: Python calls it as method(self, other), with no bound-method object in between.
       DISALLOW_INSTANTIATION: only make_method makes one, so op is never NULL. */
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL | Py_TPFLAGS_METHOD_DESCRIPTOR |
             Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = method_slots,
};

static PyTypeObject *method_type;

static PyObject *
make_method(PyObject *op, int arity)
{
    PyObject *reflected = PyObject_GetAttrString(op, "reflected");
    if (reflected == NULL)
        return NULL;
    int is_reflected = PyObject_IsTrue(reflected);
    Py_DECREF(reflected);
    if (is_reflected < 0)
        return NULL;
    Method *method = PyObject_GC_New(Method, method_type);
    if (method == NULL)
        return NULL;
    method->forward = PyObject_GetAttrString(op, "forward");
    method->local_grads = PyObject_GetAttrString(op, "local_grads");
    method->name = NULL;
    method->op = Py_NewRef(op);
    method->arity = arity;
    method->reflected = is_reflected;
    method->vectorcall = (vectorcallfunc)method_call;
    PyObject_GC_Track(method);
    if (method->forward == NULL || method->local_grads == NULL) {
        Py_DECREF(method);
        return NULL;
    }
    return (PyObject *)method;
}

static PyObject *
unary_method(PyObject *module, PyObject *op)
{
    return make_method(op, 1);
}

static PyObject *
binary_method(PyObject *module, PyObject *op)
{
    return make_method(op, 2);
}

/* --- backward.py: topological_order and chain_rule ---------------------------------------------------- */

static PyObject *
topological_order(PyObject *module, PyObject *root)
{
    if (!IS_NODE(root)) {
        PyErr_Format(PyExc_TypeError, "topological_order() orders a Value, not %.200s", Py_TYPE(root)->tp_name);
        return NULL;
    }
    unsigned long long visit = ++traversals;
    PyObject *order = PyList_New(0);
    if (order == NULL)
        return NULL;
    /* The Python's stack of nodes and None markers, as (node, inputs placed) pairs. No Python code runs
       here, so the graph cannot change underneath (and the visit marks cannot interleave). */
    Py_ssize_t size = 0, capacity = 256;
    struct entry { Node *node; int inputs_placed; } *stack = PyMem_Malloc(capacity * sizeof(struct entry));
    if (stack == NULL) {
        Py_DECREF(order);
        return PyErr_NoMemory();
    }
    stack[size++] = (struct entry){(Node *)root, 0};
    while (size > 0) {
        struct entry top = stack[--size];
        Node *node = top.node;
        if (top.inputs_placed) {
            if (PyList_Append(order, (PyObject *)node) < 0)
                goto fail;
            continue;
        }
        if (node->visit == visit)
            continue;
        node->visit = visit;
        if (node->x == NULL) { /* a leaf: nothing to wait for */
            if (PyList_Append(order, (PyObject *)node) < 0)
                goto fail;
            continue;
        }
        if (size + 3 > capacity) {
            capacity *= 2;
            void *grown = PyMem_Realloc(stack, capacity * sizeof(struct entry));
            if (grown == NULL) {
                PyErr_NoMemory();
                goto fail;
            }
            stack = grown;
        }
        stack[size++] = (struct entry){node, 1};
        if (node->x->visit != visit)
            stack[size++] = (struct entry){node->x, 0};
        if (node->y != NULL && node->y->visit != visit)
            stack[size++] = (struct entry){node->y, 0};
    }
    PyMem_Free(stack);
    return order;
fail:
    PyMem_Free(stack);
    Py_DECREF(order);
    return NULL;
}

/* backward.py's chain_rule: edges() into a dict, then one accumulation into .grad. Here the nodes' own grad
   fields hold the sweep's gradients, the earlier .grad values set aside and combined at the end.
   - A parent's first contribution is assigned, not added to +0.0 (signed zeros as in PyTorch). Starting each
     gradient at -0.0 does exactly that: -0.0 + c is c, bit for bit, for every c (+0.0, -0.0, NaN included).
     Every node of topological_order(root) but the root gets at least one contribution; the root gets 1.0.
   - Accumulation is backward.py's accumulate(): an earlier +0.0 (bitwise) means "no gradient yet".
   - All or nothing, and exact under threads: no Python code runs from here to the end, and the GIL is held
     throughout, so no other thread sees a half-done sweep and nothing can interrupt it.
   - Bit for bit the Python's, but for one thing IEEE 754 leaves open: where two NaNs meet in a sum or a
     product, which one's sign and payload the result carries (the compilers of this file and of CPython's
     float arithmetic may order the operands differently). See docs/GUARANTEES.md. */
static int
no_gradient_yet(double grad)
{
    return grad == 0.0 && !signbit(grad);
}

static PyObject *
chain_rule(PyObject *module, PyObject *order)
{
    if (!PyList_CheckExact(order)) {
        PyErr_SetString(PyExc_TypeError, "chain_rule() takes the list topological_order() returned");
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(order);
    if (n == 0)
        Py_RETURN_NONE;
    Node **nodes = (Node **)PySequence_Fast_ITEMS(order);
    int accumulating = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!IS_NODE(nodes[i])) {
            PyErr_SetString(PyExc_TypeError, "chain_rule() takes the list topological_order() returned");
            return NULL;
        }
        accumulating |= !no_gradient_yet(nodes[i]->grad);
    }
    double *earlier = NULL;
    if (accumulating) {
        earlier = PyMem_Malloc(n * sizeof(double));
        if (earlier == NULL)
            return PyErr_NoMemory();
        for (Py_ssize_t i = 0; i < n; i++)
            earlier[i] = nodes[i]->grad;
    }
    for (Py_ssize_t i = 0; i < n; i++)
        nodes[i]->grad = -0.0; /* "no contribution yet": the first one is assigned (see above) */
    nodes[n - 1]->grad = 1.0;
    for (Py_ssize_t i = n - 1; i >= 0; i--) { /* the chain rule: pass each node's gradient to its inputs */
        Node *node = nodes[i];
        if (node->x != NULL)
            node->x->grad += node->dx * node->grad;
        if (node->y != NULL)
            node->y->grad += node->dy * node->grad;
    }
    if (accumulating) {
        for (Py_ssize_t i = 0; i < n; i++)
            if (!no_gradient_yet(earlier[i]))
                nodes[i]->grad = earlier[i] + nodes[i]->grad;
        PyMem_Free(earlier);
    }
    Py_RETURN_NONE;
}

/* --- the module --------------------------------------------------------------------------------------- */

static PyObject *
configure(PyObject *module, PyObject *args, PyObject *kwds)
{
    static char *names[] = {"mode_var", "record_mode", "apply_mode", "as_number", "python_init", "check_number",
                            "check_label", "autograd_error", NULL};
    PyObject *values[8];
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOOOOOOO:configure", names, &values[0], &values[1], &values[2],
                                     &values[3], &values[4], &values[5], &values[6], &values[7]))
        return NULL;
    PyObject **slots[8] = {&mode_var,     &record_mode, &apply_mode,  &as_number,
                           &python_init,  &check_number, &check_label, &autograd_error};
    for (int i = 0; i < 8; i++)
        Py_XSETREF(*slots[i], Py_NewRef(values[i]));
    Py_RETURN_NONE;
}

static PyMethodDef module_functions[] = {
    {"configure", (PyCFunction)(void (*)(void))configure, METH_VARARGS | METH_KEYWORDS,
     "Hand over what the C code calls back into: grad mode, _apply_mode, _as_number, Value.__init__, the field "
     "checks, AutogradError."},
    {"make_leaf", (PyCFunction)(void (*)(void))make_leaf, METH_FASTCALL, "value.py's _make_leaf, in C."},
    {"unary_method", unary_method, METH_O, "value.py's _unary_method, in C."},
    {"binary_method", binary_method, METH_O, "value.py's _binary_method, in C."},
    {"topological_order", topological_order, METH_O, "backward.py's topological_order, in C."},
    {"chain_rule", chain_rule, METH_O, "backward.py's chain_rule, in C."},
    {NULL},
};

static struct PyModuleDef module_definition = {
    PyModuleDef_HEAD_INIT,
    .m_name = "autograd._native",
    .m_doc = "The C accelerator of autograd/value.py and autograd/backward.py (see _native.c).",
    .m_size = -1,
    .m_methods = module_functions,
};

PyMODINIT_FUNC
PyInit__native(void)
{
    PyObject *module = PyModule_Create(&module_definition);
    if (module == NULL)
        return NULL;
    empty_label = PyUnicode_InternFromString("");
    value_type = (PyTypeObject *)PyType_FromSpec(&node_spec);
    method_type = (PyTypeObject *)PyType_FromSpec(&method_spec);
    /* tp_name is the spec's dotted name; Python's own messages ("unsupported operand type(s) for +: 'Value'
       and 'str'") use tp_name, so give it the short name a Python class would have. */
    if (empty_label == NULL || value_type == NULL || method_type == NULL ||
        PyObject_SetAttrString((PyObject *)value_type, "__name__", ((PyHeapTypeObject *)value_type)->ht_name) < 0 ||
        PyModule_AddObjectRef(module, "Value", (PyObject *)value_type) < 0 ||
        PyModule_AddObjectRef(module, "Method", (PyObject *)method_type) < 0 ||
        PyModule_AddStringConstant(module, "SOURCE_SHA256", NATIVE_SOURCE_SHA256) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
