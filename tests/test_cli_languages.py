"""Issue 19, point 7: ``demo`` and ``explain --lang ja`` print in Japanese, their words from the same
per-language tables as the step-through page (``page/strings-LANG.json``), with the numbers and
formulas exactly as in English; the network view's key is in the page's language."""

import html
import re

import pytest

from autograd import explain, stepthrough_html
from autograd.views.stepthrough import LANGUAGES, PYTHON_ONLY, strings
from nn import article_inputs, article_network, draw_network, network_view, squared_error
from nn.article_views import article_stepthrough_html
from nn.cli import main

PLACEHOLDER = re.compile(r"\{\w+\}")
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")  # kana and kanji
EXPLAINED = [
    ["tanh(x*w + b) + 2*3 + x*x", "x=2", "w=-0.5", "b=1", "--param", "w"],  # folded constant, (input n), +=
    ["x", "x=2"],  # no operation
    ["x*w", "x=1e300", "w=1e300", "--precise"],  # not finite: the note
]
DEMOS = [["--steps", "3"], ["--steps", "2", "--lr", "3"], ["--precise"]]  # --lr 3: E grows, the note


def printed(capsys, command, arguments, lang):
    assert main([command, *arguments, "--lang", lang]) == 0
    return capsys.readouterr().out


def pieces(text):
    """The fixed words of a table's entry, around its placeholders."""
    return [piece for piece in PLACEHOLDER.split(text) if piece.strip()]


def terminal_words(lang):
    """The table's entries the printouts use: their own, and the two they share with the page."""
    table = strings(lang)
    return [text for key, text in table.items() if key.startswith(PYTHON_ONLY) or key in ("input_n", "kind_parameter")]


def without_words(printout, lang):
    """The printout with every fixed piece of ``lang``'s table cut out: what is left is the numbers,
    the names and the formulas the engine filled in."""
    words = {piece for text in terminal_words(lang) for piece in pieces(text) if re.search(r"[^\W\d_]|[。、.]", piece)}
    for piece in sorted(words, key=len, reverse=True):  # the pieces with a letter: " = " and ")" are formulas
        printout = printout.replace(piece, "¦")
    lines = re.sub(r"[ ¦]*¦[ ¦]*", "¦", printout).splitlines()  # a word's place, however wide the word was
    return "\n".join(line.strip("¦") for line in lines)  # before or after the formula, as the language puts it


def english_sentences():
    """The English table's pieces with at least two words: a sentence that must not reach Japanese."""
    return {
        piece.strip()
        for text in strings("en").values()
        for piece in pieces(text)
        if len(re.findall(r"[A-Za-z]{2,}", piece)) >= 2
    }


@pytest.mark.parametrize(
    ("command", "arguments"), [*(("demo", a) for a in DEMOS), *(("explain", a) for a in EXPLAINED)]
)
def test_demo_and_explain_print_japanese_with_no_english_sentence_left(capsys, command, arguments):
    japanese = printed(capsys, command, arguments, "ja")
    ja = strings("ja")
    keys = ["demo_network", "demo_forward", "demo_backward"] if command == "demo" else ["explain_forward"]
    for key in keys:
        assert ja[key] in japanese
    assert "エンジン: " in japanese if command == "demo" else "逆伝播: 連鎖律で" in japanese
    leaked = [sentence for sentence in english_sentences() if sentence in japanese]
    assert leaked == []


@pytest.mark.parametrize(
    ("command", "arguments"), [*(("demo", a) for a in DEMOS), *(("explain", a) for a in EXPLAINED)]
)
def test_the_numbers_and_formulas_are_the_same_in_both_languages(capsys, command, arguments):
    english, japanese = (printed(capsys, command, arguments, lang) for lang in ("en", "ja"))
    assert len(english.splitlines()) == len(japanese.splitlines())
    left = {lang: without_words(printout, lang) for lang, printout in (("en", english), ("ja", japanese))}
    number = r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?|inf|nan"
    assert re.findall(number, left["en"]) == re.findall(number, left["ja"])
    assert left["en"] == left["ja"]
    assert not JAPANESE.search(left["ja"])
    assert not JAPANESE.search(english)


def test_english_stays_the_default(capsys):
    assert main(["demo"]) == 0
    default = capsys.readouterr().out
    assert default == printed(capsys, "demo", [], "en")
    assert "Backward pass: each gradient from the engine" in default
    assert str(explain("x * w", x=2, w=3)) == str(explain("x * w", x=2, w=3, lang="en"))
    assert "Forward pass: each operation in the order it runs" in str(explain("x * w", x=2, w=3))


def test_explain_in_python_speaks_the_language_asked_for_and_its_page_follows(tmp_path):
    explanation = explain("tanh(x*w)", x=2, w=0.5, lang="ja")
    assert strings("ja")["explain_forward"] in explanation.text
    page = explanation.save_stepthrough(tmp_path / "page.html").read_text(encoding="utf-8")
    assert '<html lang="ja">' in page
    assert html.escape(strings("ja")["explain_title"].format(expression="tanh(x*w)")) in page


@pytest.mark.parametrize("command", [["demo"], ["explain", "x", "x=2"]])
def test_an_unknown_language_is_refused_naming_the_choices(capsys, command):
    with pytest.raises(SystemExit) as stop:
        main([*command, "--lang", "fr"])
    assert stop.value.code == 2
    error = capsys.readouterr().err
    assert "--lang: invalid choice: 'fr'" in error and all(f"'{lang}'" in error for lang in LANGUAGES)
    with pytest.raises(ValueError, match="lang must be one of en, ja, not 'fr'"):
        explain("x", x=2, lang="fr")


def test_demo_and_explain_say_where_they_wrote_in_the_language(capsys, tmp_path):
    page, drawing = tmp_path / "p.html", tmp_path / "g.svg"
    out = printed(capsys, "explain", ["x*w", "x=2", "w=3", "--html", str(page), "--svg", str(drawing)], "ja")
    assert strings("ja")["cli_page_written"].format(path=page) in out
    assert strings("ja")["cli_drawing_written"].format(path=drawing) in out


# --- the network view's key -----------------------------------------------------------------------


def test_the_network_drawing_writes_its_key_in_the_language_asked_for():
    model = article_network()
    english = draw_network(model, article_inputs()).source
    japanese = draw_network(model, article_inputs(), lang="ja").source
    assert "circles: each neuron's value for these inputs; edges: each weight and its gradient (grad)" in english
    assert "円: この入力に対する各ニューロンの値; 辺: 各重みとその勾配 (grad)" in japanese
    assert "circles" not in japanese
    assert '円: ニューロン; 辺: 各重み"' in draw_network(model, lang="ja", show_grad=False).source


def test_the_page_writes_the_network_views_key_in_its_language_and_leaves_the_view_as_given():
    page = html.unescape(article_stepthrough_html(lang="ja"))
    network = page[page.index('id="view-network"') :]
    assert "円: この入力に対する各ニューロンの値; 辺: 各重みとその勾配 (grad)" in network
    assert "circles" not in page and "edges: each weight" not in page
    english = html.unescape(article_stepthrough_html())
    assert "circles: each neuron's value for these inputs" in english[english.index('id="view-network"') :]
    model, inputs = article_network(), article_inputs()
    error = squared_error(model(inputs), 1.0)
    view = network_view(model, inputs, error)
    stepthrough_html(error, views=[view], lang="ja")
    assert "circles: each neuron's value for these inputs" in view.drawing.source  # a copy got the Japanese key
