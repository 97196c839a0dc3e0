// Marks the page as scripted before it renders (GOV.UK Frontend's js-enabled class); a file, not
// an inline script, so the Content-Security-Policy can forbid inline scripts.
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
