import pytest
from django_scopes import ScopeError

from centres.models import AuditLogEntry, Centre, ConsentRecord, Person, StaffRole
from centres.scoping import all_centres_scope, centre_scope
from tests.factories import ConsentFactory, every


@pytest.mark.parametrize("model", [Centre, Person, ConsentRecord, StaffRole, AuditLogEntry])
def test_unscoped_query_of_tenant_data_raises(db, model):
    with pytest.raises(ScopeError):
        list(model.objects.all())


def test_unscoped_filter_and_count_raise(person_a):
    with pytest.raises(ScopeError):
        Person.objects.filter(display_name="Alma A.").exists()
    with pytest.raises(ScopeError):
        Person.objects.count()


def test_scope_of_one_centre_sees_only_its_people(person_a, person_b, centre_a):
    with centre_scope(centre_a.pk):
        assert list(Person.objects.values_list("display_name", flat=True)) == ["Alma A."]
        assert list(Centre.objects.values_list("slug", flat=True)) == ["centre-a"]


def test_scope_of_several_centres_sees_each_of_them(person_a, person_b, centre_a, centre_b):
    with centre_scope([centre_a.pk, centre_b.pk]):
        assert sorted(Person.objects.values_list("display_name", flat=True)) == ["Alma A.", "Bodil B."]


def test_empty_scope_sees_nothing(person_a, person_b):
    with centre_scope([]):
        assert list(Person.objects.all()) == []
        assert list(Centre.objects.all()) == []


def test_none_is_refused_as_a_scope(db):
    with pytest.raises(ValueError, match="not None"), centre_scope(None):
        pass


def test_related_managers_are_scoped_too(person_a, centre_b):
    ConsentFactory(person=person_a)
    with centre_scope(centre_b.pk):
        assert list(person_a.consents.all()) == []


def test_foreign_key_access_works_across_scope(person_a, centre_b):
    consent = ConsentFactory(person=person_a)
    with centre_scope(centre_b.pk):
        # Following a relation from an object already in hand is not a lookup of tenant data.
        assert every(ConsentRecord).get(pk=consent.pk).person.display_name == "Alma A."


def test_all_centres_scope_sees_everything(person_a, person_b):
    with all_centres_scope():
        assert Person.objects.count() == 2
