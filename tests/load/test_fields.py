"""Export fields: the usual column names of each field are data, one list per field."""
from conftest import ROOT


def test_the_names_are_data_not_code():
    """The usual names are a data file of the package, one list per field."""
    import yaml

    names = yaml.safe_load((ROOT / "src/citycoop/data/export_fields.yml").read_text(encoding="utf-8"))
    assert set(names) == {"text", "title", "url", "published", "outlet", "byline"}
    assert {"text", "content", "body", "noi_dung"} <= set(names["text"])
    assert {"headline", "tieu_de"} <= set(names["title"]) and {"link", "href"} <= set(names["url"])
    assert {"date", "ngay_dang", "pubdate"} <= set(names["published"])
    assert {"tac_gia", "author"} <= set(names["byline"]) and "site" in names["outlet"]
