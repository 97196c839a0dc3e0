// Starts GOV.UK Frontend's components (loaded as a module from /static: no inline script).
import { initAll } from "/static/govuk/govuk-frontend.min.js";
initAll();
