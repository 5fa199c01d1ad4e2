"""`every(Model)`: how tests and benchmarks read across centres. Free of models at import time,
so the benchmark modules can import it before they set Django up."""

from centres.scoping import all_centres_scope


def every(model):
    """Every row of a tenant model, across centres: how a test sets up and inspects data from
    outside any centre's scope. The code under test gets no such shortcut: it runs in the scope
    its request, task or command opens."""
    with all_centres_scope():
        return model.objects.all()
