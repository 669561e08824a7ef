"""axe-core on every page: no serious or critical violation."""

from __future__ import annotations

from .conftest import REPO_ROOT, open_context

AXE = REPO_ROOT / "tools" / "node_modules" / "axe-core" / "axe.min.js"


def test_axe_finds_no_serious_or_critical_violation(site, browser):
    assert AXE.is_file(), f"{AXE} missing: run `npm ci --prefix tools` (invoke test does)"
    context, _ = open_context(browser)
    page = context.new_page()
    violations = []
    counts = {}
    for path in site.pages():
        page.goto(site.base_url + path, wait_until="networkidle")
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        for violation in result["violations"]:
            counts[violation["impact"]] = counts.get(violation["impact"], 0) + 1
            if violation["impact"] in ("serious", "critical"):
                targets = [n["target"] for n in violation["nodes"][:3]]
                violations.append(f"{path}: {violation['id']} ({violation['impact']}): {violation['help']} {targets}")
    context.close()
    print(f"axe-core violations by impact over {len(site.pages())} pages: {counts or 'none'}")
    assert not violations, "\n".join(violations)
