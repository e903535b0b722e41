"""The model file and the record classes agree; regimes load; values parse."""

from dataclasses import fields

import pytest

from schema.errors import InvalidModel
from schema.model import MODEL_FILE, load_model
from schema.records import DeclaredMember, Entity, Facility, Relationship
from schema.regime import load_regime, shipped_regimes
from schema.values import ValueRejected, parse_share

BOOKKEEPING = {"extra", "origin"}


@pytest.mark.parametrize(("node", "record"), [("Entity", Entity), ("Facility", Facility),
                                              ("DeclaredGroup", DeclaredMember)])
def test_node_records_have_exactly_the_model_properties(node, record):
    names = {f.name for f in fields(record)} - BOOKKEEPING
    assert names == set(load_model().nodes[node].properties)


def test_relationship_record_has_every_relationship_column():
    names = {f.name for f in fields(Relationship)} - BOOKKEEPING
    assert names == set(load_model().relationship_columns())


def test_relationship_kinds_of_the_contract():
    model = load_model()
    assert model.relationship_types == {"OWNS", "CONTROLS", "MANAGES", "RELATIVE_OF",
                                        "GUARANTEES", "DEPENDS_ON",
                                        # declarations of public sources (GLEIF, BODS)
                                        "ULTIMATE_PARENT_OF", "FUND_LINK", "DECLARED_INTEREST"}
    assert model.relationships["RELATIVE_OF"].undirected
    assert model.relationships["MANAGES"].source_kinds == ("person",)
    assert model.labels == {"Entity", "Facility", "DeclaredGroup", "Underlying", "Collateral",
                            "ProductParty"}
    assert model["OWNS"] is model.relationships["OWNS"]
    with pytest.raises(KeyError):
        model["LOVES"]
    assert model.to_dict()["relationships"]["OWNS"]["properties"]["share"]["required"] is True


def test_contract_columns_are_the_data_contract_without_extensions():
    model = load_model()
    assert model.contract_relationship_types == ("OWNS", "CONTROLS", "MANAGES", "RELATIVE_OF",
                                                 "GUARANTEES", "DEPENDS_ON")
    assert model.contract_columns("relationships") == (
        "type", "source", "target", "share", "basis", "role", "relation", "amount", "facility",
        "eligible", "valid_from", "valid_to", "source_ref")
    assert model.contract_columns("facilities") == tuple(model.nodes["Facility"].properties)
    entity = model.nodes["Entity"].properties
    assert set(entity) - set(model.contract_columns("entities")) == {
        "legal_status", "registration_status", "source_standard", "record_id", "statement_date"}
    # the loaders still read the extensions
    assert {"share_min", "currency", "record_id"} <= set(model.relationship_columns())
    with pytest.raises(KeyError):
        model.contract_columns("bank")


def test_shipped_regimes():
    assert shipped_regimes() == ["BASEL", "CN-2018"]
    cn = load_regime("CN-2018")
    assert cn.dependence_threshold == 0.5
    assert [limit["limit"] for limit in cn.limits] == [0.15, 0.10, 0.20, 0.25, 0.15]
    assert load_regime("BASEL").large_exposure["threshold"] == 0.10


def test_own_regime_file_and_bad_regime(tmp_path):
    own = tmp_path / "mine.toml"
    own.write_text('name = "MINE"\ndependence_threshold = 0.6\n[ccf]\ndefault = 0.9\n')
    assert load_regime(own).ccf_for("loan") == 0.9
    with pytest.raises(InvalidModel, match="unknown regime 'XX'"):
        load_regime("XX")
    own.write_text('name = "MINE"\ndependence_threshold = 0.6\n[ccf]\ndefault = 2\n')
    with pytest.raises(InvalidModel, match=r"every factor in 0\.\.1"):
        load_regime(own)


@pytest.mark.parametrize(("text", "value"), [("0.35", 0.35), ("35%", 0.35), ("35.5 %", 0.355),
                                             ("1", 1.0), ("100%", 1.0), (".5", 0.5)])
def test_share_parsing(text, value):
    assert parse_share(text) == pytest.approx(value, abs=1e-15)


@pytest.mark.parametrize("text", ["35", "0", "0%", "-0.1", "101%", "abc", "1,5"])
def test_share_rejections(text):
    with pytest.raises(ValueRejected):
        parse_share(text)


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "1_000", "١٢", "0x10", "1,234.5", "12 %"])
def test_amount_rejections(text):
    from schema.values import parse_amount

    with pytest.raises(ValueRejected, match="expected a non-negative number"):
        parse_amount(text)


@pytest.mark.parametrize(("text", "value"), [("1234.56", 1234.56), ("1e3", 1000.0), ("+5", 5.0),
                                             ("7.", 7.0), ("0", 0.0)])
def test_amounts(text, value):
    from schema.values import parse_amount

    assert parse_amount(text) == value


def test_value_descriptions_only_of_values_the_enum_has(tmp_path):
    model = load_model()
    assert model.relationships["RELATIVE_OF"].properties["relation"].value_descriptions["parent"]
    text = MODEL_FILE.read_text(encoding="utf-8")
    bad = tmp_path / "model.toml"
    bad.write_text(text.replace("status.value_descriptions.watch =",
                                "status.value_descriptions.closed =", 1), encoding="utf-8")
    with pytest.raises(InvalidModel, match=r"nodes\.Entity\.status: value_descriptions of values "
                                           r"it does not have: closed"):
        load_model(bad)


def test_flags_of_the_model_are_what_the_api_and_the_views_show():
    """The API's RiskFlagCode and the views' flag styles are derived from the model's
    [flags], in its order (most severe first), not restated."""
    from api.graphql.schema import build_schema
    from api.server.settings import Settings
    from viz.style import FLAG_ORDER, FLAGS

    flags = load_model().flags
    assert list(flags) == ["DEFAULTED", "LIMIT_BREACH", "LIMIT_WARNING", "LARGE_EXPOSURE",
                           "GUARANTEE_CIRCLE", "CROSS_HOLDING", "DEPENDENCE_REVIEW"]
    raised = [f for f in flags.values() if f.raised]
    enum = build_schema(Settings())._schema.get_type("RiskFlagCode")
    assert [(name, value.description) for name, value in enum.values.items()] == [
        (f.code, f.description) for f in raised]
    drawn = [f for f in flags.values() if f.colour]
    assert tuple(f.code for f in drawn) == FLAG_ORDER
    assert all(FLAGS[f.code] is f for f in drawn)


@pytest.mark.parametrize(("entry", "message"), [
    ('[flags.limit_breach]\nlabel = "x"\ndescription = "y"\n', "upper-case letters"),
    ('[flags.NEW]\nlabel = "x"\n', "needs a description"),
    ('[flags.NEW]\nlabel = "x"\ndescription = "y"\ncolour = "red"\n', "expected a colour"),
])
def test_bad_flags(tmp_path, entry, message):
    bad = tmp_path / "model.toml"
    bad.write_text(MODEL_FILE.read_text(encoding="utf-8") + "\n" + entry, encoding="utf-8")
    with pytest.raises(InvalidModel, match=message):
        load_model(bad)
