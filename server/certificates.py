"""The printable recovery certificate: `/certificates/{number}?code=…`, an A4 page in
Vietnamese and English with a QR code of its own address, so that whoever scans it lands
on the same verification (`Query.verifyCertificate`, rate limit included)."""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from datetime import date, datetime

import segno
from starlette.requests import Request
from starlette.responses import HTMLResponse

from db.errors import is_unavailable
from resolvers.context import Context, Services
from resolvers.errors import RateLimited
from resolvers.treatment import CertificateCheck, verify_certificate

STYLE = """
@page { size: A4; margin: 18mm; }
body { font-family: "Noto Serif", "DejaVu Serif", serif; color: #111; max-width: 170mm;
  margin: 0 auto; line-height: 1.45; }
header { text-align: center; }
h1 { font-size: 20pt; margin: 8mm 0 1mm; } h2 { font-size: 12pt; font-weight: normal;
  margin: 0 0 8mm; color: #444; }
dl { display: grid; grid-template-columns: 60mm 1fr; gap: 2mm 4mm; }
dt { color: #444; } dd { margin: 0; font-weight: bold; }
.en { color: #555; font-weight: normal; font-size: 90%; }
figure { text-align: center; margin-top: 10mm; } figure svg { width: 45mm; height: 45mm; }
footer { margin-top: 8mm; font-size: 9pt; color: #555; }
@media print { .noprint { display: none; } }
"""


def handler(services: Services) -> Callable[[Request], Awaitable[HTMLResponse]]:
    """The endpoint, reading through `services` like any API request."""

    async def certificate(request: Request) -> HTMLResponse:
        number = request.path_params["number"]
        code = request.query_params.get("code", "")
        try:
            check = await verify_certificate(Context(services=services), number, code)
        except RateLimited:
            return _message(429, "Quá nhiều lần thử sai", "Too many wrong codes; try later.")
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            return _message(503, "Tạm thời không kiểm tra được", "Cannot check now; retry.")
        if not check.valid:
            return _message(
                404, "Không tìm thấy giấy xác nhận", "No certificate with this number and code."
            )
        return HTMLResponse(_page(number, str(request.url), check))

    return certificate


def _page(number: str, address: str, check: CertificateCheck) -> str:
    qr = segno.make(address, error="m").svg_inline(border=4, omitsize=True)  # scales by CSS
    rows = [
        ("Số giấy", "Number", number),
        ("Người được cấp", "Holder", f"{check.holder_initials} ({check.holder_birth_year})"),
        (
            "Thời gian cách ly/điều trị",
            "Isolation",
            f"{_day(check.period_from)} – {_day(check.period_to)}",
        ),
        ("Đơn vị xác nhận", "Issued by", check.issued_by or ""),
        ("Ngày cấp", "Issued on", _day(check.issued_at)),
    ]
    listed = "".join(
        f"<dt>{html.escape(vi)} <span class=en>/ {html.escape(en)}</span></dt>"
        f"<dd>{html.escape(value)}</dd>"
        for vi, en, value in rows
    )
    return f"""<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Giấy xác nhận {html.escape(number)}</title><style>{STYLE}</style></head>
<body><header>
<p>CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM<br>Độc lập – Tự do – Hạnh phúc</p>
<h1>GIẤY XÁC NHẬN HOÀN THÀNH THỜI GIAN CÁCH LY/ĐIỀU TRỊ TẠI NHÀ</h1>
<h2>Certificate of completed home isolation / treatment for COVID-19</h2>
</header>
<p>Giấy này hợp lệ: số và mã xác thực khớp với hồ sơ. <span class=en>This certificate is
valid: its number and code match the record.</span></p>
<dl id="facts">{listed}</dl>
<figure>{qr}
<figcaption>Quét để xác thực <span class=en>/ scan to verify</span></figcaption></figure>
<footer>Đối chiếu chữ cái đầu họ tên và năm sinh với giấy tờ tuỳ thân. <span class=en>Match the
initials and year of birth against the holder's ID card.</span></footer>
<p class=noprint><button onclick="window.print()">In / Print</button></p>
</body></html>"""


def _message(status: int, vi: str, en: str) -> HTMLResponse:
    body = (
        f'<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{html.escape(vi)}'
        f"</title></head><body><h1>{html.escape(vi)}</h1><p>{html.escape(en)}</p></body></html>"
    )
    return HTMLResponse(body, status_code=status)


def _day(value: date | datetime | None) -> str:
    """dd/mm/yyyy, as Vietnamese documents write dates."""
    return "" if value is None else value.strftime("%d/%m/%Y")
