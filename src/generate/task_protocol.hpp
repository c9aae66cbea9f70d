#pragma once
// The declarative task protocol: one vendor's asynchronous video API described as data, so a
// vendor is added by configuration, not code. The same TOML table is a preset compiled into
// paddock (src/generate/presets/*.toml) or an operator's own (`protocol = "custom"` and a
// [providers.NAME.custom] table). docs/generate.md describes every field with examples;
// this header is the loaded, checked form that ProtocolProvider runs.
//
// What a protocol says:
//   - where the API is (base URLs by region) and how to authenticate (Bearer, a header with
//     a prefix such as "Key ", x-goog-api-key, Kling's HS256 JWT from an access and a secret
//     key), plus fixed headers (X-Runway-Version);
//   - the submit request per task (method, path, JSON body template; templates in
//     protocol_template.hpp) and where the task id is in its reply;
//   - the poll request (a path, or a URL from the submit reply; GET, or POST with a body),
//     the status field and the explicit mapping of each of its values to a TaskState; a
//     value not in the mapping is "bad_reply", never success;
//   - failures inside HTTP 200 (a failure field, an envelope code), which codes are
//     refusals and which are not;
//   - where the result is (a URL, inline Base64, a gs:// URI) after an optional lookup
//     request (MiniMax files/retrieve, fal's response_url);
//   - how each track setting maps onto the vendor's parameters (settings below), per model
//     where models differ;
//   - where the usage amounts are, for the price table (price_table.hpp).
//
// Loading checks everything it can before any request: unknown fields, wrong types, JSON
// pointers, template placeholders that name no variable, a setting mapped but never sent.
// Errors are "bad_config" with the path of the offending field
// ("protocol kling: poll.states.succeeded: ...").

#include <toml++/toml.h>

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "generate/provider.hpp"
#include "store/records.hpp"

namespace paddock::generate {

using JsonPointer = nlohmann::json::json_pointer;

// JSON pointers tried in order; the first that names a value other than null wins.
struct PointerList {
  std::vector<JsonPointer> pointers;

  const nlohmann::json* find(const nlohmann::json& document) const;
  // The first that names a string.
  const nlohmann::json* find_string(const nlohmann::json& document) const;
  bool empty() const { return pointers.empty(); }
};

// One HTTP request of the protocol. `target` is a path relative to the base URL
// ("/tasks/{task_id}") or a template that gives a whole URL ("{handle.status_url}"): such a
// URL must have the base URL's origin, since the credentials go with it.
struct RequestSpec {
  std::string method = "GET";
  std::string target;
  nlohmann::json body;  // a body template, or null for none
  std::optional<std::int64_t> max_reply_bytes;
};

enum class AuthScheme { Bearer, Header, KlingJwt, None };

struct AuthSpec {
  AuthScheme scheme = AuthScheme::Bearer;
  std::string header = "Authorization";  // Header: the header's name
  std::string prefix;                    // Header: put before the key ("Key ")
  std::string key_env;                   // the default environment variable of the key
  std::string access_key_env;            // KlingJwt
  std::string secret_key_env;            // KlingJwt
};

// How one task (text-to-video, image-to-video, ...) is submitted.
struct TaskSubmit {
  std::string target;
  nlohmann::json body = nlohmann::json::object();
  // Fixed values stored with the submitted task, for polling ({handle.endpoint}).
  std::map<std::string, std::string> handle;
  std::vector<std::string> notes;  // deviations every plan of this task states
};

struct SubmitSpec {
  std::string method = "POST";
  std::map<store::Task, TaskSubmit> tasks;
  PointerList task_id;
  // Values of the submit reply kept with the task (fal's status_url, response_url).
  std::map<std::string, PointerList> handle_from_reply;
  // Where the model's fixed parameters go in the body ("" = the top).
  JsonPointer fixed_parameters_at;
};

// Failures a reply reports as data: a finished task that failed.
struct FailureSpec {
  PointerList present;  // a reply with this field is a failure whatever its status says
  PointerList code;
  PointerList message;
  // Codes, '*' allowed ("SAFETY.*"): the request itself was refused (never retried), or the
  // provider's side failed.
  std::set<std::string> refusal_codes;
  std::set<std::string> retryable_codes;
  std::vector<std::string> refusal_messages;     // substrings of messages that mark a refusal
  bool refusal_by_default = false;               // for codes in neither list
  std::map<std::string, TaskState> code_states;  // codes that mean another final state
};

struct PollSpec {
  RequestSpec request;
  PointerList status;
  // Status value -> state. JSON strings stand as they are, true/false as "true"/"false",
  // numbers in decimal, and an absent or null field as "".
  std::map<std::string, TaskState> states;
  FailureSpec failure;
};

// A reply envelope whose code says whether the call worked (MiniMax base_resp, Kling code):
// a code not in `ok` makes the call an error even in HTTP 200.
struct EnvelopeSpec {
  PointerList code;
  std::set<std::string> ok;
  PointerList message;
  std::set<std::string> rate_limit_codes;  // treated as HTTP 429
  std::set<std::string> retryable_codes;   // treated as HTTP 503
};

// How a non-2xx reply names its error.
struct HttpErrorSpec {
  PointerList code;
  PointerList message;
  std::set<std::string> refusal_codes;  // a 429 or 5xx with one of these is a refusal
};

struct ResultSpec {
  std::optional<RequestSpec> lookup;               // an extra request before the result is read
  std::map<std::string, PointerList> lookup_vars;  // values of the poll reply for it
  PointerList url;
  PointerList inline_base64;
  PointerList gcs_uri;
  std::string gcs_download;            // a target under storage_base_url: {bucket}, {object}
  bool download_auth = false;          // the download carries the credentials (same origin only)
  PointerList filtered_count;          // a succeeded reply without a result but this > 0: refused
  PointerList filtered_reasons;        //   by the provider's safety filter, with these words
  bool missing_means_expired = false;  // no result in a succeeded reply: it was removed
};

struct UsageSpec {
  PointerList object;  // recorded as TaskStatus::usage
  PointerList seconds;
  PointerList tokens;
  PointerList units;
};

struct ImageSpec {
  std::vector<std::string> types = {"image/jpeg", "image/png", "image/webp"};
  std::int64_t max_bytes = 7 * 1024 * 1024;
};

// ---- settings: the track's settings mapped onto the vendor's parameters ----

enum class ValueType { Integer, String, Number };

// A setting a protocol does not mention is not sent (and the plan says so).
struct DurationSetting {
  bool sent = false;  // false: the API takes no duration
  ValueType type = ValueType::Integer;
  std::vector<double> values;  // allowed values, or min/max (integers in between)
  std::optional<double> min;
  std::optional<double> max;
  bool round = true;  // send the nearest allowed value (a deviation) instead of refusing
  std::map<std::string, std::vector<double>> by_resolution;  // vendor resolution -> allowed
  std::string note;
};

struct ResolutionSetting {
  bool sent = false;
  std::map<std::string, std::string> values;  // tier ("720p") -> vendor value ("768P")
  std::map<std::string, std::string> notes;   // tier -> why it differs
  std::string note;                           // when not sent
};

enum class AspectForm { Ratio, Pixels, None };

struct AspectSetting {
  AspectForm form = AspectForm::None;
  std::string separator = ":";      // Pixels: "1280:720", or "*" for "1280*720"
  std::vector<std::string> values;  // allowed; empty = any
  std::string note;                 // when not sent
};

// Boolean: a true/false field; Values: a field with two spellings ("on"/"off"); AlwaysOn,
// AlwaysOff: the API has no switch and the clip always has (or never has) it; NotSent: the
// API may have one, but the protocol does not map it (the vendor's default applies).
enum class SwitchForm { Boolean, Values, AlwaysOn, AlwaysOff, NotSent };

struct SwitchSetting {  // audio, watermark
  SwitchForm form = SwitchForm::NotSent;
  std::string on_value;  // Values
  std::string off_value;
  std::string note;  // why it cannot be switched
};

struct SeedSetting {
  bool sent = false;
  std::int64_t min = 0;
  std::int64_t max = 2147483647;
  std::string note;
};

struct SettingsSpec {
  DurationSetting duration;
  ResolutionSetting resolution;
  AspectSetting aspect;
  SwitchSetting audio;
  SwitchSetting watermark;
  SeedSetting seed;
};

// Models whose settings differ from the protocol's ("kling-v3*": 3..15 s).
struct ModelVariant {
  std::vector<std::string> patterns;  // '*' matches any run of characters
  SettingsSpec settings;
  std::optional<std::set<store::Task>> tasks;
  std::vector<std::string> notes;
};

struct FindByReferenceSpec {
  RequestSpec request;  // may use {reference} and the task's fixed handle values
  PointerList task_id;
  std::set<int> not_found_statuses = {404};
};

struct TaskProtocol {
  std::string name;
  std::string title;
  std::map<std::string, std::string> base_urls;  // region -> URL
  std::string default_region;
  AuthSpec auth;
  std::vector<std::pair<std::string, std::string>> headers;  // fixed headers
  SubmitSpec submit;
  PollSpec poll;
  EnvelopeSpec envelope;
  HttpErrorSpec errors;
  ResultSpec result;
  UsageSpec usage;
  ImageSpec image;
  SettingsSpec settings;
  std::vector<ModelVariant> models;
  std::optional<FindByReferenceSpec> find_by_reference;
  bool refetch = false;  // polling a succeeded task again gives a fresh result URL

  // The settings of `model`: its variant's, else the protocol's.
  const SettingsSpec& settings_for(std::string_view model) const;
  const ModelVariant* variant_for(std::string_view model) const;
};

// True if `code` is one of `codes`, each of which may hold '*' ("SAFETY.*").
bool code_listed(const std::set<std::string>& codes, std::string_view code);

// Reads and checks a protocol table. `name` names it in messages.
Result<TaskProtocol> parse_task_protocol(const toml::table& table, std::string_view name);

// Parses TOML text and reads it as a protocol. Errors: "bad_config" with the line of a TOML
// syntax error, or as parse_task_protocol().
Result<TaskProtocol> parse_task_protocol(std::string_view toml_text, std::string_view name);

// True if `model` matches `pattern` ('*' matches any run of characters).
bool glob_match(std::string_view pattern, std::string_view model);

}  // namespace paddock::generate
