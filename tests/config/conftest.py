import sys


def pytest_terminal_summary(terminalreporter):
    """The figure the security notes quote: how many requests the API fuzzing sent."""
    fuzz = sys.modules.get("tests.config.test_api_fuzz")
    if fuzz is not None and fuzz.SENT:
        operations = len({operation for operation, _mode in fuzz.SENT})
        total = sum(fuzz.SENT.values())
        negative = sum(count for (_operation, mode), count in fuzz.SENT.items() if mode == "negative")
        terminalreporter.write_line(
            f"API fuzzing: {total} requests ({negative} with invalid data) to {operations} operations"
        )
