"""Non-JSON pages that stand between a client and WHMCS in real life."""

from __future__ import annotations

EMITTER_EXCEPTION = (
    "Laminas\\HttpHandlerRunner\\Exception\\EmitterException: "
    "Output has been emitted previously; cannot emit response"
)

# WHMCS 8.x's error page when a hook or a BOM has already written output.
HTML_500 = f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Oops! Something went wrong.</title></head>
<body>
<div class="error-container">
<h1>Oops!</h1>
<h2>Something went wrong and we couldn't process your request.</h2>
<p>Please go back to the previous page and try again.</p>
<p class="debug">{EMITTER_EXCEPTION} in
/home/whmcs/public_html/vendor/laminas/laminas-httphandlerrunner/src/Exception/EmitterException.php:21
<br>Stack trace:<br>#0 /home/whmcs/public_html/vendor/laminas/laminas-httphandlerrunner/src/
Emitter/SapiEmitterTrait.php(37):
Laminas\\HttpHandlerRunner\\Exception\\EmitterException::forOutputSent()</p>
</div>
</body>
</html>
"""

# Shown while the files and the database are at different versions (WHMCS KB 186).
MAINTENANCE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Down for Maintenance</title></head>
<body>
<h1>Down for Maintenance</h1>
<p>An upgrade is currently in progress. Please come back soon...</p>
</body>
</html>
"""

# A CDN/WAF block page in front of WHMCS: a 403 that carries no WHMCS JSON at all.
WAF_403 = """<!DOCTYPE html>
<html lang="en-US">
<head><meta charset="UTF-8"><title>Attention Required! | Cloudflare</title></head>
<body>
<div id="cf-wrapper">
<h1>Sorry, you have been blocked</h1>
<h2>You are unable to access whmcs.example.com</h2>
<p>This website is using a security service to protect itself from online attacks.</p>
<p>Cloudflare Ray ID: <strong>8a1b2c3d4e5f6071</strong></p>
</div>
</body>
</html>
"""
