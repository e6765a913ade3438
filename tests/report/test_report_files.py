"""``python -m bot report``: a self-contained HTML page with charts, a CSV for a French
spreadsheet, and a summary in the terminal, on the hand-made database."""

from __future__ import annotations

import csv
import re
from datetime import datetime

import pytest
from report_db import build_database
from sqlalchemy.orm import Session

from bot.__main__ import main
from bot.config import get_settings
from bot.storage.models import Acknowledgement, Consumer, ProfileField
from bot.tools.invisible_work.assumptions import AssumptionsError, load_assumptions
from tests.wiring import reset_wiring

NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.fixture
def written(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'report.db'}"
    build_database(url).dispose()
    out = tmp_path / "reports"
    status = main(["report", "--database-url", url, "--since", "2026-01-01",
                   "--until", "2026-11-24", "--out", str(out)])  # fmt: skip
    assert status == 0
    return out, capsys.readouterr().out


def figures_of(out) -> dict[tuple[str, str], str]:
    with open(out / "travail-invisible.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    assert rows[0] == ["indicateur", "detail", "valeur"]
    return {(indicator, detail): value for indicator, detail, value in rows[1:]}


def test_the_csv_holds_every_figure_written_for_a_french_spreadsheet(written):
    figures = figures_of(written[0])
    assert figures[("periode", "debut")] == "2026-01-01"
    assert figures[("periode", "fin")] == "2026-11-24"
    assert figures[("consommateurs", "total")] == "4"
    assert figures[("informations_saisies", "email / facebook")] == "1"
    assert figures[("informations_confirmees", "interests / socketio")] == "2"
    assert figures[("avis", "2 etoiles / facebook")] == "1"
    assert figures[("avis_par_produit", "creme-de-jour")] == "2"
    assert figures[("remerciements", "field_saved / utter_thank_field_saved")] == "2"
    assert figures[("informations_a_jour", "city")] == "1"
    assert figures[("fraicheur", "part a jour")] == "0,8571"
    assert figures[("valeur", "heures")] == "0,14"  # 497 s
    assert figures[("valeur", "cout equivalent (euros)")] == "3,45"


def test_the_html_page_is_self_contained_with_its_charts_and_french_labels(written):
    page = (written[0] / "travail-invisible.html").read_text(encoding="utf-8")
    assert page.count('src="data:image/png;base64,') == 4
    assert not re.search(r"(src|href)=\"https?:", page), "the page must not fetch anything"
    assert "<script" not in page
    assert '<html lang="fr">' in page
    assert "Le travail invisible de vos consommateurs" in page
    assert "Du 1er janvier 2026 au 24 novembre 2026 · 4 consommateurs" in page
    assert f"<b>3{NBSP}€</b>si la marque avait payé cette saisie" in page
    assert f"86{NBSP}%" in page  # 12 of 14 fields are current
    assert f"écrire un avis 90{NBSP}s{NBSP}: vos consommateurs" in page  # French spaces
    assert "font-family:system-ui" in page  # but not in the style sheet
    assert "<td>Centres d&#x27;intérêt</td>" in page  # nor in the HTML entities
    assert "<td>Crème de jour</td><td>creme-de-jour</td><td>2</td>" in page


def test_the_terminal_gets_a_short_summary(written):
    out = written[1]
    assert (
        "Le travail invisible de vos consommateurs, du 1er janvier 2026 au 24 novembre 2026" in out
    )
    assert re.search(r"informations saisies\s+10\n", out)
    assert re.search(r"avis\s+3\s+\(1 ou 2 étoiles 33", out)
    assert "travail-invisible.html" in out and "travail-invisible.csv" in out


def test_the_hourly_rate_and_the_seconds_can_be_set_on_the_command_line(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'report.db'}"
    build_database(url).dispose()
    period = ["--since", "2026-01-01", "--until", "2026-11-24"]
    costs = ["--seconds-per-review", "600", "--hourly-rate", "36"]
    main(["report", "--database-url", url, "--out", str(tmp_path), *period, *costs])
    figures = figures_of(tmp_path)
    # 10 fields x 20 s + 9 confirmations x 3 s + 3 reviews x 600 s = 2027 s, at 36 EUR/h
    assert figures[("hypotheses", "secondes par avis")] == "600,0"
    assert figures[("valeur", "cout equivalent (euros)")] == "20,27"


def test_wrong_report_settings_are_refused_with_their_line(tmp_path):
    path = tmp_path / "report.yml"
    path.write_text("seconds_per_field: 20\nhourly_rate: vingt\n", encoding="utf-8")
    with pytest.raises(AssumptionsError) as caught:
        load_assumptions(path)
    [problem] = caught.value.problems
    assert (problem.line, problem.what) == (
        2,
        "hourly_rate vaut `'vingt'`, ce n'est pas un nombre positif",
    )


@pytest.fixture
def fresh_settings():

    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_the_assumptions_file_is_the_one_merci_report_path_names(
    tmp_path, monkeypatch, fresh_settings
):
    assumptions = tmp_path / "hypotheses.yml"
    assumptions.write_text("hourly_rate: 50\n", encoding="utf-8")
    monkeypatch.setenv("MERCI_REPORT_PATH", str(assumptions))
    url = f"sqlite:///{tmp_path / 'report.db'}"
    build_database(url).dispose()
    main(["report", "--database-url", url, "--out", str(tmp_path)])
    figures = figures_of(tmp_path)
    assert figures[("hypotheses", "cout horaire (euros)")] == "50,00"
    assert figures[("hypotheses", "secondes par avis")] == "90,0"  # the default, not in the file


def test_names_read_from_the_database_are_escaped_in_the_page(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'report.db'}"
    engine = build_database(url)
    with Session(engine) as session, session.begin():
        intruder = Consumer(channel="<script>alert(1)</script>", sender_id="x",
                            created_at=datetime(2026, 5, 1))  # fmt: skip
        session.add(intruder)
        session.flush()
        session.add_all([
            ProfileField(consumer_id=intruder.id, field="email", value="x@exemple.fr",
                         source="chat", updated_at=datetime(2026, 5, 1)),
            Acknowledgement(consumer_id=intruder.id, event_key="k", kind="field_saved",
                            response='<script>alert("merci")</script>', variant=0, text="Merci",
                            created_at=datetime(2026, 5, 1)),
        ])  # fmt: skip
    engine.dispose()
    main(["report", "--database-url", url, "--since", "2026-01-01", "--out", str(tmp_path)])
    page = (tmp_path / "travail-invisible.html").read_text(encoding="utf-8")
    assert "<script" not in page
    assert "<th>&lt;script&gt;alert(1)&lt;/script&gt;</th>" in page  # a channel column
    assert "<td>&lt;script&gt;alert(&quot;merci&quot;)&lt;/script&gt;</td>" in page


def test_the_typo_filter_sets_french_spaces_then_escapes():
    from bot.tools.invisible_work.render import typo

    assert typo("Vraiment ? <b>Oui</b> : 5 & 6") == (
        f"Vraiment{NNBSP}? &lt;b&gt;Oui&lt;/b&gt;{NBSP}: 5 &amp; 6"
    )


def test_a_database_without_its_tables_gets_one_clear_line_and_no_report(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'empty.db'}"  # never migrated: no table at all
    status = main(["report", "--database-url", url, "--out", str(tmp_path / "reports")])
    assert status == 1
    out, err = capsys.readouterr()
    assert err == (
        f"La base de données est inaccessible ou incomplète{NBSP}: aucun rapport n'a été écrit. "
        "Vérifiez DATABASE_URL (ou --database-url) et que make migrate a réussi.\n"
    )
    assert not (tmp_path / "reports").exists()


def test_any_command_on_an_unmigrated_database_says_so_in_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'vide.db'}")
    reset_wiring()
    try:
        assert main(["freshness"]) == 1
    finally:
        reset_wiring()
    err = capsys.readouterr().err
    assert "La base de données est inaccessible ou incomplète" in err
    assert "Traceback" not in err
