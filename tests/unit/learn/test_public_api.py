import waypost.learn as learn

EXPECTED = [
    "THRESHOLD",
    "CellRecord",
    "ContextCell",
    "EvalReport",
    "Event",
    "EventSink",
    "EventSource",
    "Example",
    "ExampleStore",
    "GeneratedCell",
    "JsonlEventLog",
    "JsonlEventSink",
    "LearnStats",
    "LearnStore",
    "Learner",
    "MemoryEventLog",
    "MemoryEventSink",
    "MemoryStore",
    "OfflineAssistant",
    "Outcome",
    "Query",
    "QueryCell",
    "RecordStore",
    "SqliteStore",
    "SuggestedCell",
    "Suggestion",
    "Watermark",
    "WatermarkStore",
    "build_query",
    "distance",
    "evaluate",
    "replay",
]


def test_public_api_is_pinned():
    assert learn.__all__ == EXPECTED
    for name in EXPECTED:
        assert getattr(learn, name) is not None
