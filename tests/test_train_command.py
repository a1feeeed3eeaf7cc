"""`micro-autograd train digits`: trains, reports the test accuracy, and saves a model that nn.load restores."""

import io
import re
import signal
import subprocess
import sys
import time

import pytest

import nn.train_command
from nn import load, load_digits, predict, train_test_split
from nn.cli import main
from nn.train_command import TEST_FRACTION, VALIDATION_FRACTION, train

pytest.importorskip("sklearn")
TINY = ["--epochs", "1", "--hidden", "3", "--batch", "64", "--quiet"]  # seconds, not minutes


def test_train_digits_reports_the_test_accuracy_of_the_model_it_saves(tmp_path, capsys):
    path = tmp_path / "model.json"
    assert main(["train", "digits", *TINY, "--out", str(path)]) == 0
    out = capsys.readouterr().out
    assert "1293 images to train on, 144 to validate, 360 to test" in out
    shown = re.search(r"test accuracy: ([\d.]+)% \((\d+) of 360 digits\)", out)
    assert shown, out
    # the test part, cut again here as the command documents it, and read by the model in the file
    rest, test = train_test_split(load_digits(), TEST_FRACTION, seed=0)
    assert len(train_test_split(rest, VALIDATION_FRACTION, seed=0)[1]) == 144
    correct = sum(p == t for p, t in zip(predict(load(path).model, test.inputs), test.targets, strict=True))
    assert int(shown[2]) == correct and float(shown[1]) == round(100 * correct / 360, 1)


def test_the_saved_model_gives_the_same_predictions_as_the_trained_one(tmp_path):
    path = tmp_path / "model.json"
    trained = train(epochs=2, hidden=4, batch=64, lr=0.1, seed=1, path=str(path), out=io.StringIO(), progress=False)
    restored = load(path).model
    inputs = load_digits().inputs
    assert predict(restored, inputs) == predict(trained.model, inputs)
    assert restored.state_dict() == trained.model.state_dict()
    assert trained.history.best_epoch in (1, 2)


def test_the_progress_bar_goes_to_stderr(tmp_path, capsys):
    assert main(["train", "digits", *TINY[:-1], "--out", str(tmp_path / "m.json")]) == 0
    captured = capsys.readouterr()
    assert "epoch 1/1" in captured.err and "epoch 1/1" not in captured.out


def test_without_scikit_learn_the_command_names_the_extra(monkeypatch, capsys, tmp_path):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    assert main(["train", "digits", *TINY, "--out", str(tmp_path / "m.json")]) == 1
    err = capsys.readouterr().err
    assert "micro-autograd: error: nn.load_digits needs scikit-learn" in err and "micro-autograd[digits]" in err
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    "bad", [["--epochs", "0"], ["--hidden", "-1"], ["--batch", "x"], ["--lr", "0"], ["moons"]], ids=str
)
def test_bad_arguments_are_refused_clearly(bad, capsys):
    arguments = ["train", *bad] if bad == ["moons"] else ["train", "digits", *bad]
    with pytest.raises(SystemExit) as exit_info:
        main(arguments)
    assert exit_info.value.code == 2
    assert "error: argument" in capsys.readouterr().err


def test_the_default_trains_through_the_replay_and_eager_training_saves_the_very_same_model(tmp_path, capsys):
    paths = {}
    for engine in ("", "--eager", "--compiled"):
        paths[engine] = tmp_path / f"model{engine}.json"
        assert main(["train", "digits", *TINY, *([engine] if engine else []), "--out", str(paths[engine])]) == 0
        out = capsys.readouterr().out
        assert ("eager engine" if engine == "--eager" else "compiled replay") in out.splitlines()[0]
    saved = {engine: path.read_bytes() for engine, path in paths.items()}
    assert saved[""] == saved["--eager"] == saved["--compiled"]  # every weight, to the last digit of its repr


def test_eager_and_compiled_cannot_both_be_asked_for(capsys):
    with pytest.raises(SystemExit):
        main(["train", "digits", "--eager", "--compiled"])
    assert "not allowed with argument" in capsys.readouterr().err


@pytest.mark.parametrize("where", ["missing/model.json", "."], ids=["missing folder", "a folder"])
def test_an_out_path_that_cannot_be_written_is_refused_before_training(where, tmp_path, capsys):
    path = str(tmp_path / where)
    assert main(["train", "digits", *TINY, "--out", path]) == 1
    err = capsys.readouterr().err
    assert err.startswith("micro-autograd: error: ") and repr(path) in err
    assert "the checkpoint's folder does not exist" in err or "the checkpoint is a folder" in err
    assert not list(tmp_path.iterdir())


def test_training_that_diverges_is_stopped_with_the_way_out(tmp_path, capsys):
    assert main(["train", "digits", *TINY, "--lr", "1e308", "--out", str(tmp_path / "model.json")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("micro-autograd: error: fit: training diverged in epoch 1: ")
    assert err.rstrip().endswith("try a smaller --lr than 1e+308 (the default is 0.1)")


def test_train_says_the_full_path_it_saves_to_and_writes_where_out_says(tmp_path, monkeypatch, capsys):
    # Before: "saved epoch 1 ... to m.json", a path relative to wherever the command ran.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "models").mkdir()
    assert main(["train", "digits", *TINY, "--out", "models/m.json"]) == 0
    out = capsys.readouterr().out
    full = str(tmp_path / "models" / "m.json")
    assert f"the best model goes to {full}" in out and out.rstrip().splitlines()[-2].endswith(f"to {full}")
    assert [p.name for p in tmp_path.iterdir()] == ["models"] and load(full).model is not None


def test_ctrl_c_during_training_says_where_the_best_model_is_without_a_traceback(tmp_path):
    path = tmp_path / "model.json"
    command = [sys.executable, "-m", "nn", "train", "digits", "--epochs", "500", "--hidden", "4", "--batch", "512"]
    process = subprocess.Popen(
        [*command, "--quiet", "--out", str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 120
    while not path.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)  # the first epoch has finished once its model is saved
    assert path.exists(), process.communicate()
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, (out, err)
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert "micro-autograd train: interrupted; the best model so far, epoch " in err
    assert f"(lowest validation loss), is saved at {path}\n" in err
    best = int(err.split("epoch ")[1].split()[0])
    assert best >= 1 and load(path).model is not None


def test_ctrl_c_before_any_epoch_finished_says_nothing_was_saved(tmp_path, monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(nn.train_command, "load_digits", interrupted)
    assert main(["train", "digits", *TINY, "--out", str(tmp_path / "m.json")]) == 130
    err = capsys.readouterr().err
    assert err == "\nmicro-autograd train: interrupted; no epoch had finished, so no model was saved\n"
