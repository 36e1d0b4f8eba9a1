// `check --html`: one self-contained HTML page for one identity, rendered from the same CheckResult as the
// JSON. No network fetches: inline CSS and inline SVG, no script, and a Content-Security-Policy that
// forbids any fetch or script, so an attachment to a support ticket stays inert even if escaping failed.
//
// Threat: every name, TXT value, error text and evidence line comes from DNS or from the user's input and
// is attacker-controlled. All of it goes through html_escape() and nothing else reaches the page.
#pragma once

#include <string>
#include <string_view>

#include "cli/check.hpp"

namespace dkimdoctor::cli {

// Text safe inside an element or a quoted attribute (HTML and inline SVG): & < > " ' become references;
// bytes that are not well-formed UTF-8 become U+FFFD; C0 controls other than tab and newline and DEL
// become U+FFFD too, so they cannot hide text.
std::string html_escape(std::string_view text);

std::string render_html(const CheckResult& result);

}  // namespace dkimdoctor::cli
