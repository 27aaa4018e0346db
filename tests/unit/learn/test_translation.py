from waypost.learn.translation import TranslationModel


def test_words_that_led_to_the_same_command_translate_to_its_atoms():
    pairs = [
        (["restart", "checkout"], ["kubectl", "rollout", "restart", "checkout"]),
        (["bounce", "billing"], ["kubectl", "rollout", "restart", "billing"]),
        (["logs", "checkout"], ["kubectl", "logs", "checkout"]),
        (["bounce", "search"], ["kubectl", "rollout", "restart", "search"]),
    ]
    model = TranslationModel.fit(pairs)
    assert model.best("bounce", {"rollout", "restart"}) > model.best("bounce", {"logs"})
    assert model.translations("bounce", 2)[0][0] in {"rollout", "restart"}


def test_unknown_terms_translate_to_nothing():
    model = TranslationModel.fit([(["a"], ["x"])])
    assert model.best("zzz", {"x"}) == 0.0
    assert model.p("x", "zzz") == 0.0
