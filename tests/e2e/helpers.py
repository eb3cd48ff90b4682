"""Small readers of what the browser shows."""

from decimal import Decimal

ROWS = "#ledger-table tbody tr:not(#ledger-totals)"


def ledger_rows(page) -> list[dict]:
    """The ledger's data rows as {name, region, total, leaders} in display order."""
    return page.locator(ROWS).evaluate_all(
        """rows => rows.map(r => ({
            name: r.cells[2].querySelector('a').textContent.trim(),
            region: r.cells[3].textContent.trim(),
            total: r.cells[7].textContent.trim(),
            leaders: r.cells[13].textContent.trim(),  // after 本年累计完成 and 完成率
        }))"""
    )


def as_decimal(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def is_htmx_request(response) -> bool:
    return "/projects/" in response.url and response.request.headers.get("hx-request") == "true"


VENDOR_HTMX = "vendor/htmx/htmx.min.js"


def assert_assets_loaded(page, base_url: str) -> None:
    """htmx and Bootstrap reached the browser; if not, say why (not built, or not served)."""
    from pathlib import Path

    import tuijin

    if page.evaluate("typeof window.htmx") == "object":
        return
    built = (Path(tuijin.__file__).parent / "static" / VENDOR_HTMX).exists()
    status = page.request.get(f"{base_url}/static/{VENDOR_HTMX}").status
    if not built:
        raise AssertionError(f"window.htmx undefined: tuijin/static/{VENDOR_HTMX} missing — run `npm run vendor`")
    raise AssertionError(
        f"window.htmx undefined: /static/{VENDOR_HTMX} answers {status} although tuijin/static/{VENDOR_HTMX} "
        "exists — no staticfiles finder looks in tuijin/static (settings.STATICFILES_DIRS is not set and "
        "`tuijin` is not an installed app), so WhiteNoise/collectstatic cannot find the app's CSS and JS"
    )
