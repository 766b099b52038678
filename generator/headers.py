"""Security headers: the Content-Security-Policy every built page satisfies, as <meta> and as `_headers`."""

from __future__ import annotations

from .model import Site
from .output import OutputFile

# Pages carry no inline script or style and load everything from the site itself; only pictures may
# come from elsewhere, because an article's lead image or a picture in its text may be an http(s) address.
POLICY = (
    ("default-src", "'self'"),
    ("script-src", "'self'"),
    ("style-src", "'self'"),
    ("img-src", "'self' https: http:"),
    ("object-src", "'none'"),
    ("base-uri", "'self'"),
    ("form-action", "'self'"),
    ("frame-ancestors", "'none'"),
)
NOT_IN_META = ("frame-ancestors",)  # browsers ignore it in a <meta> policy, with a console warning


def content_security_policy(meta: bool = False) -> str:
    """The policy as one header value; `meta` leaves out what a <meta> element cannot carry."""
    return "; ".join(f"{name} {value}" for name, value in POLICY if not (meta and name in NOT_IN_META))


def security_headers() -> tuple[tuple[str, str], ...]:
    """The headers every response of the site should carry."""
    return (
        ("Content-Security-Policy", content_security_policy()),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    )


def render_headers(site: Site) -> list[OutputFile]:
    """`_headers` (the format of Netlify and Cloudflare Pages): the security headers for every path."""
    lines = ["/*", *(f"  {name}: {value}" for name, value in security_headers())]
    return [OutputFile("_headers", ("\n".join(lines) + "\n").encode("utf-8"), "security headers")]
