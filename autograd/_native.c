/* The engine's bookkeeping in C: the optional accelerator of autograd/value.py and autograd/backward.py.

   The Python in value.py and backward.py is the specification; this file does the same steps, in the same
   order, with the same floating-point operations, so the two give bit-for-bit the same numbers (the test
   suite runs in both modes: MICRO_AUTOGRAD_PURE_PYTHON=1 selects the Python). The formulas themselves, each
   operation's forward value and local derivatives, stay in value.py's table and are called from here.

   Why C at all: a Python object that refers to other objects is tracked by CPython's cycle collector, which
   walks every live node again and again while a big graph is being built; nodes never form cycles, so a C
   node that the collector does not track is freed by reference counting alone and costs the collector
   nothing. The node also keeps its numbers unboxed (88 bytes, no float objects), and the method calls, the
   topological order and the sweep run without Python frames.

   What is here, each mirroring its Python twin:
     Value                 the node (value.py: class Value, its __init__ fast path)
     make_node()           value.py: _record
     binary_method(op)     value.py: _binary_method        unary_method(op)   value.py: _unary_method
     topological_order()   backward.py: topological_order  chain_rule(order)  backward.py: chain_rule
*/
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

/* --- what value.py hands over at import (configure) ------------------------------------------------------ */

static PyObject *mode_var;      /* grad_mode._mode, the ContextVar of the active Mode */
static PyObject *record_mode;   /* grad_mode.RECORD, the default Mode */
static PyObject *apply_mode;    /* value._apply_mode(node, mode): the uncommon modes */
static PyObject *as_number;     /* value._as_number(other): a plain operand as a float, or None */
static PyObject *python_init;   /* the reference Value.__init__, for every call the fast path does not take */
static PyObject *autograd_error; /* errors.AutogradError: raised as is, never rewrapped */
static PyObject *empty_label;   /* "" */
static PyTypeObject *value_type;

/* --- the node ----------------------------------------------------------------------------------------- */

typedef struct Node {
    PyObject_HEAD
    double data;
    double grad;
    PyObject *label;
    PyObject *op;     /* the Operation that made this node, or NULL for a leaf */
    struct Node *x;   /* the Value inputs, or NULL */
    struct Node *y;
    double dx;        /* d(self)/d(x), d(self)/d(y); with y NULL, dy keeps a folded plain number */
    double dy;
    unsigned long long visit; /* the last topological_order() that reached this node */
} Node;

#define IS_NODE(o) PyObject_TypeCheck((o), value_type)

static unsigned long long traversals; /* topological_order() calls so far: each marks the nodes it reaches */

static PyObject *
node_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    Node *self = (Node *)type->tp_alloc(type, 0);
    if (self == NULL)
        return NULL;
    Py_INCREF(empty_label);
    self->label = empty_label;
    return (PyObject *)self; /* tp_alloc zeroed the numbers and the links */
}

static int
node_init(Node *self, PyObject *args, PyObject *kwds)
{
    /* Value(1.5) and Value(1.5, "w1"): the common calls. Anything else goes to value.py's __init__, which
       converts ints, refuses bad types with its message, and checks the label. */
    Py_ssize_t n = PyTuple_GET_SIZE(args);
    if (kwds == NULL && (n == 1 || n == 2) && PyFloat_CheckExact(PyTuple_GET_ITEM(args, 0)) &&
        (n == 1 || PyUnicode_CheckExact(PyTuple_GET_ITEM(args, 1)))) {
        PyObject *label = n == 2 ? PyTuple_GET_ITEM(args, 1) : empty_label;
        self->data = PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(args, 0));
        self->grad = self->dx = self->dy = 0.0;
        Py_INCREF(label);
        Py_SETREF(self->label, label);
        Py_CLEAR(self->op);
        Py_CLEAR(self->x);
        Py_CLEAR(self->y);
        return 0;
    }
    if (python_init == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "autograd._native is used before value.py configured it");
        return -1;
    }
    PyObject *with_self = PyTuple_New(n + 1);
    if (with_self == NULL)
        return -1;
    Py_INCREF(self);
    PyTuple_SET_ITEM(with_self, 0, (PyObject *)self);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PyTuple_GET_ITEM(args, i);
        Py_INCREF(item);
        PyTuple_SET_ITEM(with_self, i + 1, item);
    }
    PyObject *result = PyObject_Call(python_init, with_self, kwds);
    Py_DECREF(with_self);
    if (result == NULL)
        return -1;
    Py_DECREF(result);
    return 0;
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

static void
node_dealloc(Node *self)
{
    PyTypeObject *type = Py_TYPE(self);
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

/* _x and _y hold a Value or None; the sweep relies on it, so nothing else gets in. */
static PyObject *
get_input(Node *self, void *which)
{
    Node *input = which ? self->y : self->x;
    if (input == NULL)
        Py_RETURN_NONE;
    Py_INCREF(input);
    return (PyObject *)input;
}

static int
set_input(Node *self, PyObject *value, void *which)
{
    if (value != NULL && value != Py_None && !IS_NODE(value)) {
        PyErr_Format(PyExc_TypeError, "a Value's inputs are Values or None, not %.200s", Py_TYPE(value)->tp_name);
        return -1;
    }
    Node *input = (value == NULL || value == Py_None) ? NULL : (Node *)value;
    Py_XINCREF(input);
    if (which)
        Py_XSETREF(self->y, input);
    else
        Py_XSETREF(self->x, input);
    return 0;
}

static PyObject *
get_label(Node *self, void *unused)
{
    Py_INCREF(self->label);
    return self->label;
}

static int
set_label(Node *self, PyObject *value, void *unused)
{
    if (value == NULL || !PyUnicode_Check(value)) {
        PyErr_Format(PyExc_TypeError, "Value label must be a str, not %.200s",
                     value == NULL ? "nothing (it cannot be deleted)" : Py_TYPE(value)->tp_name);
        return -1;
    }
    Py_INCREF(value);
    Py_SETREF(self->label, value);
    return 0;
}

static PyMemberDef node_members[] = {
    {"data", T_DOUBLE, offsetof(Node, data), 0, "the number"},
    {"grad", T_DOUBLE, offsetof(Node, grad), 0, "d(output)/d(this node), filled in by backward()"},
    {"_op", T_OBJECT, offsetof(Node, op), 0, NULL},
    {"_dx", T_DOUBLE, offsetof(Node, dx), 0, NULL},
    {"_dy", T_DOUBLE, offsetof(Node, dy), 0, NULL},
    {NULL},
};

static PyGetSetDef node_getset[] = {
    {"label", (getter)get_label, (setter)set_label, "a name for drawings and messages", NULL},
    {"_x", (getter)get_input, (setter)set_input, NULL, NULL},
    {"_y", (getter)get_input, (setter)set_input, NULL, (void *)1},
    {NULL},
};

static PyType_Slot node_slots[] = {
    {Py_tp_new, node_new},
    {Py_tp_init, node_init},
    {Py_tp_dealloc, node_dealloc},
    {Py_tp_members, node_members},
    {Py_tp_getset, node_getset},
    {0, NULL},
};

static PyType_Spec node_spec = {
    .name = "autograd.value.Value",
    .basicsize = sizeof(Node),
    /* Deliberately not Py_TPFLAGS_HAVE_GC: nodes never form cycles (see the top of this file). */
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .slots = node_slots,
};

/* --- making a node: value.py's _record --------------------------------------------------------------- */

static PyObject *
make_node(double out, PyObject *op, Node *x, double dx, Node *y, double dy)
{
    Node *node = (Node *)node_new(value_type, NULL, NULL);
    if (node == NULL)
        return NULL;
    node->data = out;
    Py_INCREF(op);
    node->op = op;
    Py_INCREF(x);
    node->x = x;
    node->dx = dx;
    Py_XINCREF(y);
    node->y = y;
    node->dy = dy;
    PyObject *mode;
    if (PyContextVar_Get(mode_var, NULL, &mode) < 0) {
        Py_DECREF(node);
        return NULL;
    }
    if (mode != record_mode) { /* the uncommon modes: value.py's _apply_mode */
        PyObject *result = PyObject_CallFunctionObjArgs(apply_mode, (PyObject *)node, mode, NULL);
        if (result == NULL)
            Py_CLEAR(node);
        Py_XDECREF(result);
    }
    Py_DECREF(mode);
    return (PyObject *)node;
}

/* --- the methods: value.py's _unary_method and _binary_method ------------------------------------------ */

typedef struct {
    PyObject_HEAD
    PyObject *op;          /* the Operation */
    PyObject *forward;     /* op.forward */
    PyObject *local_grads; /* op.local_grads */
    int arity;
    int reflected;         /* the plain number is the left operand: 2 - x */
    vectorcallfunc vectorcall;
} Method;

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
    node = make_node(out_number, method->op, self, dx, NULL, 0.0);
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
        node = make_node(out_number, method->op, self, dx, y_node, dy);
    /* One Value input: keep the plain number in the second slot's derivative field (see value.py). */
    else if (method->reflected)
        node = make_node(out_number, method->op, self, dy, NULL, x);
    else
        node = make_node(out_number, method->op, self, dx, NULL, y);
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

static PyObject *
method_name(Method *method, void *unused)
{
    return PyObject_GetAttrString(method->op, "name");
}

static PyObject *
method_repr(Method *method)
{
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

static PyGetSetDef method_getset[] = {
    {"__name__", (getter)method_name, NULL, NULL, NULL},
    {"__qualname__", (getter)method_name, NULL, NULL, NULL},
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
    {Py_tp_getset, method_getset},
    {Py_tp_members, method_members},
    {Py_tp_repr, method_repr},
    {0, NULL},
};

static PyType_Spec method_spec = {
    .name = "autograd._native.Method",
    .basicsize = sizeof(Method),
    /* METHOD_DESCRIPTOR: Python calls it as method(self, other), with no bound-method object in between. */
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL | Py_TPFLAGS_METHOD_DESCRIPTOR,
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
    Py_INCREF(op);
    method->op = op;
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
    static char *names[] = {"mode_var", "record_mode", "apply_mode", "as_number", "python_init",
                            "autograd_error", NULL};
    PyObject *values[6];
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOOOOO:configure", names, &values[0], &values[1], &values[2],
                                     &values[3], &values[4], &values[5]))
        return NULL;
    PyObject **slots[6] = {&mode_var, &record_mode, &apply_mode, &as_number, &python_init, &autograd_error};
    for (int i = 0; i < 6; i++) {
        Py_INCREF(values[i]);
        Py_XSETREF(*slots[i], values[i]);
    }
    Py_RETURN_NONE;
}

static PyMethodDef module_functions[] = {
    {"configure", (PyCFunction)(void (*)(void))configure, METH_VARARGS | METH_KEYWORDS,
     "Hand over what the C code calls back into: grad mode, _apply_mode, _as_number, Value.__init__, AutogradError."},
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
        PyModule_AddObjectRef(module, "Method", (PyObject *)method_type) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
