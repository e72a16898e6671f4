"""muzero-arena's command line: streamlit run on the app, on 127.0.0.1 unless told, one-line errors."""

from arena.launch import APP, command, main, parser


def test_the_page_is_served_on_this_machine_by_default_with_the_options_given():
    default = command(parser().parse_args([]))
    assert default[1:5] == ["-m", "streamlit", "run", str(APP)]
    assert "--server.address=127.0.0.1" in default and "--server.port=8501" in default
    chosen = command(parser().parse_args(["--port", "8600", "--address", "0.0.0.0", "--no-browser"]))
    assert {"--server.address=0.0.0.0", "--server.port=8600", "--server.headless=true"} <= set(chosen)


def test_bad_options_are_one_line_and_exit_code_2(tmp_path, capsys):
    assert main(["--port", "70000"]) == 2
    assert main(["--models", str(tmp_path / "missing")]) == 2
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 2 and all(line.startswith("muzero-arena: error: ") for line in errors)
