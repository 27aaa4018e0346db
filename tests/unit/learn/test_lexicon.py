from waypost.learn.lexicon import command_atoms, literal_type, request_words, shell_tokens


def test_literals_get_a_type():
    assert literal_type("41") == "number"
    assert literal_type("2.14.0") == "version"
    assert literal_type("3f9c2a1") == "hex"
    assert literal_type("2024-05-20T08:00:00Z") == "timestamp"
    assert literal_type("2024-05-17") == "date"
    assert literal_type("2024-05") == "month"
    assert literal_type("14:30") == "time"
    assert literal_type("2TB") == "quantity"
    assert literal_type("thumbnailer-00041-vup") == "ident"
    assert literal_type("/var/log") == "path"
    assert literal_type("*.py") == "glob"
    assert literal_type("restart") == "word"


def test_request_words_drop_sentence_punctuation_and_possessives_but_keep_literals():
    words = request_words("How big are tenant 61507's uploads in 2.14.0?")
    assert [w.text for w in words] == [
        "How",
        "big",
        "are",
        "tenant",
        "61507",
        "uploads",
        "in",
        "2.14.0",
    ]
    assert [w.kind for w in words][4] == "number"


def test_quoted_strings_are_one_literal():
    words = request_words('Change owner of "script.sh" to "root"')
    assert ("script.sh", "filename") in [(w.text, w.kind) for w in words]
    assert any(w.text == "root" and w.quoted for w in words)


def test_hyphenated_names_stay_whole():
    assert "feed-ranker" in [w.text for w in request_words("Restart feed-ranker in staging.")]


def test_commands_split_like_a_shell_with_operators_apart():
    assert shell_tokens("a 'b c' | d && e\nf") == ("a", "b c", "|", "d", "&&", "e", ";", "f")


def test_command_atoms_include_option_names():
    assert command_atoms("kubectl --context=hl-prd-usc1 logs")[:5] == (
        "kubectl",
        "--context",
        "context",
        "hl",
        "prd",
    )


def test_a_date_written_as_prose_is_one_literal_written_as_commands_write_it():
    def dates(text):
        return [(w.text, w.kind) for w in request_words(text) if w.kind != "word"]

    assert dates("Download the 13 May orders export.") == [("05-13", "monthday")]
    assert dates("Re-run the February 2024 export.") == [("2024-02", "month")]
    assert dates("Restore it to June 2, 2024 at noon.") == [("2024-06-02", "date")]
    assert dates("the 1st of Jan 2025") == [("2025-01-01", "date")]
    assert dates("Copy the February CSVs.") == [("02", "monthname")]
    assert dates("May I scale it to 3?") == [("3", "number")]  # "may" alone is no month


def test_a_number_spelled_out_is_a_number_but_one_is_a_word():
    words = request_words("Show the last five commits of the APNs one, three at a time.")
    assert [(w.text, w.kind) for w in words if w.kind != "word"] == [
        ("5", "number"),
        ("3", "number"),
    ]
    assert "one" in [w.text for w in words]


def test_what_a_request_refuses_is_not_asked_for():
    def texts(text):
        return [w.text for w in request_words(text)]

    assert "rotate" not in texts("Just read the key, don't rotate anything.")
    assert "raise" not in texts("Before we raise max_connections, what is it now?")
    assert "APNs" not in texts("Show every key, not just the APNs one.")
    assert "have" in texts("Find all files that do not have read permission")  # describes
    assert texts("Find all files not owned by root") == [
        "Find", "all", "files", "not", "owned", "by", "root"
    ]  # fmt: skip


def test_irregular_past_forms_match_their_verb():
    from waypost.learn.lexicon import stem

    assert stem("frozen") == stem("freeze") == stem("freezes")
    assert stem("ran") == stem("run")
    assert stem("found") != stem("find")  # "found" is also a verb of its own


def test_why_a_request_asks_is_not_what_it_asks_for():
    def texts(text):
        return [w.text for w in request_words(text)]

    assert texts("restart search in prod so the pods reload their config") == [
        "restart", "search", "in", "prod"
    ]  # fmt: skip
    assert "put" in texts("The gateway is flapping, so put it into maintenance.")
