#include "generate/redaction.hpp"

#include <algorithm>
#include <array>
#include <string>

#include "base/text.hpp"

namespace paddock::generate {
namespace {

constexpr std::array kCredentialWords = {"key",      "token", "secret",    "signature",
                                         "password", "auth",  "credential"};

bool names_a_credential(std::string_view name) {
  const std::string lower = ascii_lower(name);
  for (std::string_view word : kCredentialWords) {
    if (lower.find(word) != std::string::npos) return true;
  }
  return false;
}

bool is_credential_parameter(std::string_view name) {
  const std::string lower = ascii_lower(name);
  if (names_a_credential(lower) || lower.find("session") != std::string::npos) return true;
  if (lower == "sig" || lower == "policy") return true;
  for (std::string_view prefix : {"x-amz-", "x-goog-", "x-tos-", "x-oss-", "x-bce-"}) {
    if (lower.starts_with(prefix)) return true;
  }
  return false;
}

// A URL cut where its credentials are: everything between the pieces is shown as it is.
struct UrlPieces {
  std::string_view head;      // "scheme://" (or empty when there is no authority)
  std::string_view userinfo;  // "user:password" (without '@'), or empty
  std::string_view rest;      // host, port, path, query; the fragment is left off
};

UrlPieces split_url(std::string_view url) {
  url = url.substr(0, url.find('#'));
  UrlPieces pieces{{}, {}, url};
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return pieces;
  const std::size_t authority_start = scheme_end + 3;
  const std::size_t authority_end = std::min(url.find_first_of("/?", authority_start), url.size());
  const std::size_t at = url.substr(0, authority_end).rfind('@');
  pieces.head = url.substr(0, authority_start);
  if (at != std::string_view::npos && at >= authority_start) {
    pieces.userinfo = url.substr(authority_start, at - authority_start);
    pieces.rest = url.substr(at + 1);
  } else {
    pieces.rest = url.substr(authority_start);
  }
  return pieces;
}

// Calls visit(piece, is_credential_value) for each piece of the query "a=1&key=x&b", in
// order, separators included as non-credential pieces.
template <typename Visit>
void walk_query(std::string_view query, Visit visit) {
  while (true) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const std::size_t eq = pair.find('=');
    if (eq != std::string_view::npos && is_credential_parameter(pair.substr(0, eq))) {
      visit(pair.substr(0, eq + 1), false);
      visit(pair.substr(eq + 1), true);
    } else {
      visit(pair, false);
    }
    if (amp == std::string_view::npos) break;
    visit("&", false);
    query.remove_prefix(amp + 1);
  }
}

}  // namespace

std::string redact_url(std::string_view url) {
  const UrlPieces pieces = split_url(url);
  std::string out(pieces.head);
  if (!pieces.userinfo.empty()) out.append(kRedacted).append("@");
  const std::size_t question = pieces.rest.find('?');
  out.append(pieces.rest.substr(0, question));
  if (question != std::string_view::npos) {
    out.push_back('?');
    walk_query(pieces.rest.substr(question + 1), [&](std::string_view piece, bool credential) {
      out.append(credential ? kRedacted : piece);
    });
  }
  return out;
}

std::vector<std::string> url_credentials(std::string_view url) {
  const UrlPieces pieces = split_url(url);
  std::vector<std::string> found;
  if (!pieces.userinfo.empty()) {
    found.emplace_back(pieces.userinfo);
    const std::size_t colon = pieces.userinfo.find(':');
    if (colon != std::string_view::npos) found.emplace_back(pieces.userinfo.substr(colon + 1));
  }
  const std::size_t question = pieces.rest.find('?');
  if (question != std::string_view::npos) {
    walk_query(pieces.rest.substr(question + 1), [&](std::string_view piece, bool credential) {
      if (credential && !piece.empty()) found.emplace_back(piece);
    });
  }
  return found;
}

bool is_sensitive_header(std::string_view name) {
  return equals_ignoring_case(name, "cookie") || equals_ignoring_case(name, "set-cookie") ||
         names_a_credential(name);
}

std::string scrub(std::string_view text, std::span<const std::string_view> secrets) {
  // Mark every byte any secret covers in the original text first, so that one secret is
  // never searched for inside another's replacement and overlapping secrets both go.
  std::vector<bool> hidden(text.size(), false);
  for (std::string_view secret : secrets) {
    if (secret.size() < kShortestScrubbed) continue;
    for (std::size_t at = text.find(secret); at != std::string_view::npos;
         at = text.find(secret, at + 1)) {
      std::fill_n(hidden.begin() + static_cast<std::ptrdiff_t>(at), secret.size(), true);
    }
  }
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!hidden[i]) {
      out.push_back(text[i]);
    } else if (i == 0 || !hidden[i - 1]) {
      out.append(kRedacted);
    }
  }
  return out;
}

}  // namespace paddock::generate
