#include "generate/task_protocol.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "generate/protocol_template.hpp"

namespace paddock::generate {
namespace {

using nlohmann::json;

// Thrown inside the loader only, and turned into a "bad_config" Error at its border.
struct InvalidProtocol {
  std::string message;
};

[[noreturn]] void invalid(const std::string& where, const std::string& what) {
  throw InvalidProtocol{where + ": " + what};
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

// A TOML table read field by field: every field read is remembered, and finish() refuses
// any other, so a misspelt field is an error instead of being ignored.
class Fields {
 public:
  Fields(const toml::table& table, std::string path) : table_(table), path_(std::move(path)) {}

  std::string at(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }
  const std::string& path() const { return path_; }

  const toml::node* get(std::string_view key) {
    known_.insert(std::string(key));
    return table_.get(key);
  }
  bool has(std::string_view key) const { return table_.contains(key); }

  std::optional<std::string> string(std::string_view key) {
    const toml::node* node = get(key);
    if (node == nullptr) return std::nullopt;
    if (!node->is_string()) invalid(at(key), "expected a string");
    return node->value<std::string>();
  }
  std::string required_string(std::string_view key) {
    auto value = string(key);
    if (!value || value->empty()) invalid(at(key), "missing (a non-empty string)");
    return *value;
  }
  std::optional<bool> boolean(std::string_view key) {
    const toml::node* node = get(key);
    if (node == nullptr) return std::nullopt;
    if (!node->is_boolean()) invalid(at(key), "expected true or false");
    return node->value<bool>();
  }
  std::optional<std::int64_t> integer(std::string_view key) {
    const toml::node* node = get(key);
    if (node == nullptr) return std::nullopt;
    if (!node->is_integer()) invalid(at(key), "expected an integer");
    return node->value<std::int64_t>();
  }
  std::optional<double> number(std::string_view key) {
    const toml::node* node = get(key);
    if (node == nullptr) return std::nullopt;
    if (!node->is_number()) invalid(at(key), "expected a number");
    return node->value<double>();
  }
  // A string, or an array of strings.
  std::vector<std::string> strings(std::string_view key) {
    const toml::node* node = get(key);
    std::vector<std::string> out;
    if (node == nullptr) return out;
    if (node->is_string()) {
      out.push_back(*node->value<std::string>());
      return out;
    }
    const toml::array* array = node->as_array();
    if (array == nullptr) invalid(at(key), "expected a string or an array of strings");
    for (std::size_t i = 0; i < array->size(); ++i) {
      const toml::node& item = *array->get(i);
      if (!item.is_string()) {
        invalid(at(key) + "[" + std::to_string(i) + "]", "expected a string");
      }
      out.push_back(*item.value<std::string>());
    }
    return out;
  }
  // Codes: strings or integers, kept as their decimal text.
  std::set<std::string> codes(std::string_view key) {
    const toml::node* node = get(key);
    std::set<std::string> out;
    if (node == nullptr) return out;
    const toml::array* array = node->as_array();
    if (array == nullptr) invalid(at(key), "expected an array of codes (strings or integers)");
    for (std::size_t i = 0; i < array->size(); ++i) {
      const toml::node& item = *array->get(i);
      if (item.is_string()) {
        out.insert(*item.value<std::string>());
      } else if (item.is_integer()) {
        out.insert(std::to_string(*item.value<std::int64_t>()));
      } else {
        invalid(at(key) + "[" + std::to_string(i) + "]", "expected a string or an integer");
      }
    }
    return out;
  }
  std::vector<double> numbers(std::string_view key) {
    const toml::node* node = get(key);
    std::vector<double> out;
    if (node == nullptr) return out;
    const toml::array* array = node->as_array();
    if (array == nullptr) invalid(at(key), "expected an array of numbers");
    for (std::size_t i = 0; i < array->size(); ++i) {
      const toml::node& item = *array->get(i);
      if (!item.is_number()) {
        invalid(at(key) + "[" + std::to_string(i) + "]", "expected a number");
      }
      out.push_back(*item.value<double>());
    }
    return out;
  }
  const toml::table* table(std::string_view key) {
    const toml::node* node = get(key);
    if (node == nullptr) return nullptr;
    if (!node->is_table()) invalid(at(key), "expected a table");
    return node->as_table();
  }
  std::map<std::string, std::string> string_map(std::string_view key) {
    std::map<std::string, std::string> out;
    const toml::table* t = table(key);
    if (t == nullptr) return out;
    for (const auto& [k, v] : *t) {
      if (!v.is_string()) invalid(at(key) + "." + std::string(k.str()), "expected a string");
      out[std::string(k.str())] = *v.value<std::string>();
    }
    return out;
  }
  PointerList pointers(std::string_view key) {
    PointerList list;
    for (const std::string& text : strings(key)) {
      if (text.empty() || text.front() != '/') {
        invalid(at(key), "\"" + text + "\" is not a JSON pointer (it starts with '/')");
      }
      try {
        list.pointers.emplace_back(text);
      } catch (const json::exception& e) {
        invalid(at(key), "\"" + text + "\" is not a JSON pointer: " + e.what());
      }
    }
    return list;
  }

  // Refuses the fields nobody read.
  void finish() const {
    for (const auto& [key, value] : table_) {
      if (!known_.contains(std::string(key.str()))) {
        std::vector<std::string> names(known_.begin(), known_.end());
        invalid(at(key.str()), "unknown field (known here: " + join(names, ", ") + ")");
      }
    }
  }

 private:
  const toml::table& table_;
  std::string path_;
  std::set<std::string> known_;
};

json json_from_toml(const toml::node& node, const std::string& where) {
  if (node.is_string()) return *node.value<std::string>();
  if (node.is_integer()) return *node.value<std::int64_t>();
  if (node.is_floating_point()) return *node.value<double>();
  if (node.is_boolean()) return *node.value<bool>();
  if (const toml::array* array = node.as_array()) {
    json out = json::array();
    for (std::size_t i = 0; i < array->size(); ++i) {
      out.push_back(json_from_toml(*array->get(i), where + "[" + std::to_string(i) + "]"));
    }
    return out;
  }
  if (const toml::table* table = node.as_table()) {
    json out = json::object();
    for (const auto& [key, value] : *table) {
      out[std::string(key.str())] = json_from_toml(value, where + "." + std::string(key.str()));
    }
    return out;
  }
  invalid(where, "dates and times have no JSON form; write them as strings");
}

std::optional<TaskState> parse_state(std::string_view name) {
  if (name == "queued") return TaskState::Queued;
  if (name == "running") return TaskState::Running;
  if (name == "succeeded") return TaskState::Succeeded;
  if (name == "failed") return TaskState::Failed;
  if (name == "expired") return TaskState::Expired;
  if (name == "canceled") return TaskState::Canceled;
  return std::nullopt;
}

// The variables each kind of template may use.
const std::set<std::string>& request_variables() {
  static const std::set<std::string> kNames = {
      "model",    "prompt",     "reference", "image_data_uri", "image_base64", "image_mime",
      "duration", "resolution", "aspect",    "audio",          "seed",         "watermark"};
  return kNames;
}

void check_placeholders(const std::set<std::string>& used, const std::set<std::string>& allowed,
                        const std::string& where) {
  for (const std::string& name : used) {
    if (!allowed.contains(name)) {
      std::vector<std::string> names(allowed.begin(), allowed.end());
      invalid(where, "{" + name + "} is not a variable here (known: " + join(names, ", ") + ")");
    }
  }
}

std::set<std::string> body_placeholders(const json& body, const std::string& where) {
  auto found = body_placeholders_in(body);
  // The message starts with the member's path inside the body ("content[1].text: ...").
  if (!found) throw InvalidProtocol{where + "." + found.error().message};
  return *found;
}

std::set<std::string> target_placeholders(const std::string& target, const std::string& where) {
  auto found = placeholders_in(std::string_view(target));
  if (!found) invalid(where, found.error().message);
  return *found;
}

// "path" (relative to the base URL) or "url" (a whole URL, usually from a reply).
std::string read_target(Fields& fields, bool required) {
  auto path = fields.string("path");
  auto url = fields.string("url");
  if (path && url) invalid(fields.path(), "give path or url, not both");
  if (path) {
    if (path->empty() || path->front() != '/') {
      invalid(fields.at("path"), "must start with '/' (it is appended to the base URL)");
    }
    return *path;
  }
  if (url) {
    const bool from_variable = !url->empty() && url->front() == '{';
    if (!from_variable && !url->starts_with("https://") && !url->starts_with("http://")) {
      invalid(fields.at("url"), "must be an http(s) URL or a {variable} holding one");
    }
    return *url;
  }
  if (required) invalid(fields.path(), "missing path (or url)");
  return {};
}

std::string read_method(Fields& fields, std::string fallback) {
  const std::string method = fields.string("method").value_or(std::move(fallback));
  static const std::set<std::string> kMethods = {"GET", "POST", "PUT", "PATCH", "DELETE"};
  if (!kMethods.contains(method)) {
    invalid(fields.at("method"), "\"" + method + "\" is not GET, POST, PUT, PATCH or DELETE");
  }
  return method;
}

void read_auth(const toml::table* table, AuthSpec& auth) {
  if (table == nullptr) invalid("auth", "missing (scheme = \"bearer\" and key_env, ...)");
  Fields fields(*table, "auth");
  const std::string scheme = fields.required_string("scheme");
  if (scheme == "bearer") {
    auth.scheme = AuthScheme::Bearer;
  } else if (scheme == "header") {
    auth.scheme = AuthScheme::Header;
  } else if (scheme == "kling_jwt") {
    auth.scheme = AuthScheme::KlingJwt;
  } else if (scheme == "none") {
    auth.scheme = AuthScheme::None;
  } else {
    invalid(fields.at("scheme"), "\"" + scheme + "\" is not bearer, header, kling_jwt or none");
  }
  if (auto header = fields.string("header")) auth.header = *header;
  if (auto prefix = fields.string("prefix")) auth.prefix = *prefix;
  if (auto env = fields.string("key_env")) auth.key_env = *env;
  if (auto env = fields.string("access_key_env")) auth.access_key_env = *env;
  if (auto env = fields.string("secret_key_env")) auth.secret_key_env = *env;
  if (auth.scheme == AuthScheme::Header && !fields.has("header")) {
    invalid(fields.at("header"), "missing: the header that carries the key");
  }
  if (auth.scheme != AuthScheme::Header && (fields.has("header") || fields.has("prefix"))) {
    invalid(fields.path(), "header and prefix go with scheme = \"header\" only");
  }
  if (auth.scheme == AuthScheme::KlingJwt &&
      (auth.access_key_env.empty() || auth.secret_key_env.empty())) {
    invalid(fields.path(), "kling_jwt needs access_key_env and secret_key_env");
  }
  fields.finish();
}

FailureSpec read_failure(const toml::table* table, const std::string& where) {
  FailureSpec failure;
  if (table == nullptr) return failure;
  Fields fields(*table, where);
  failure.present = fields.pointers("present");
  failure.code = fields.pointers("code");
  failure.message = fields.pointers("message");
  failure.refusal_codes = fields.codes("refusal_codes");
  failure.retryable_codes = fields.codes("retryable_codes");
  failure.refusal_messages = fields.strings("refusal_messages");
  if (auto fallback = fields.string("default")) {
    if (*fallback == "refusal") {
      failure.refusal_by_default = true;
    } else if (*fallback != "retryable") {
      invalid(fields.at("default"), "\"" + *fallback + "\" is not refusal or retryable");
    }
  }
  for (const std::string& code : failure.refusal_codes) {
    if (failure.retryable_codes.contains(code)) {
      invalid(where, "code " + code + " is in both refusal_codes and retryable_codes");
    }
  }
  if (const toml::table* states = fields.table("states")) {
    for (const auto& [code, state] : *states) {
      const std::string at = fields.at("states") + "." + std::string(code.str());
      const auto name = state.value<std::string>();
      const auto parsed = name ? parse_state(*name) : std::nullopt;
      if (!parsed || (*parsed != TaskState::Failed && *parsed != TaskState::Expired &&
                      *parsed != TaskState::Canceled)) {
        invalid(at, "expected \"failed\", \"expired\" or \"canceled\"");
      }
      failure.code_states[std::string(code.str())] = *parsed;
    }
  }
  fields.finish();
  return failure;
}

void read_poll(const toml::table* table, PollSpec& poll) {
  if (table == nullptr) invalid("poll", "missing (the request that asks for a task's state)");
  Fields fields(*table, "poll");
  poll.request.method = read_method(fields, "GET");
  poll.request.target = read_target(fields, true);
  if (const toml::node* body = fields.get("body")) {
    if (!body->is_table()) invalid(fields.at("body"), "expected a table (the JSON body)");
    poll.request.body = json_from_toml(*body, fields.at("body"));
  }
  if (auto cap = fields.integer("max_reply_bytes")) {
    if (*cap <= 0) invalid(fields.at("max_reply_bytes"), "must be > 0");
    poll.request.max_reply_bytes = *cap;
  }
  poll.status = fields.pointers("status");
  const toml::table* states = fields.table("states");
  poll.failure = read_failure(fields.table("failure"), fields.at("failure"));
  fields.finish();
  if (poll.status.empty()) invalid(fields.at("status"), "missing (a JSON pointer)");
  if (states == nullptr) {
    invalid(fields.at("states"), "missing: every status value must be mapped explicitly");
  }
  for (const auto& [state_key, values] : *states) {
    const std::string at = fields.at("states") + "." + std::string(state_key.str());
    const auto state = parse_state(state_key.str());
    if (!state) {
      invalid(at, "not a state (queued, running, succeeded, failed, expired, canceled)");
    }
    Fields one(*states, fields.at("states"));
    for (const std::string& value : one.strings(state_key.str())) {
      const auto [it, inserted] = poll.states.emplace(value, *state);
      if (!inserted && it->second != *state) {
        invalid(at, "\"" + value + "\" is already mapped to " + std::string(to_string(it->second)));
      }
    }
  }
  if (std::none_of(poll.states.begin(), poll.states.end(),
                   [](const auto& entry) { return entry.second == TaskState::Succeeded; })) {
    invalid(fields.at("states.succeeded"), "missing: which status value means success");
  }
}

void read_envelope(const toml::table* table, EnvelopeSpec& envelope) {
  if (table == nullptr) return;
  Fields fields(*table, "envelope");
  envelope.code = fields.pointers("code");
  envelope.ok = fields.codes("ok");
  envelope.message = fields.pointers("message");
  envelope.rate_limit_codes = fields.codes("rate_limit_codes");
  envelope.retryable_codes = fields.codes("retryable_codes");
  fields.finish();
  if (envelope.code.empty()) invalid(fields.at("code"), "missing (a JSON pointer)");
  if (envelope.ok.empty()) invalid(fields.at("ok"), "missing: the codes that mean success");
}

void read_errors(const toml::table* table, HttpErrorSpec& errors) {
  if (table == nullptr) return;
  Fields fields(*table, "errors");
  errors.code = fields.pointers("code");
  errors.message = fields.pointers("message");
  errors.refusal_codes = fields.codes("refusal_codes");
  fields.finish();
}

void read_result(const toml::table* table, ResultSpec& result) {
  if (table == nullptr) invalid("result", "missing (where the clip is in a succeeded reply)");
  Fields fields(*table, "result");
  result.url = fields.pointers("url");
  result.inline_base64 = fields.pointers("inline_base64");
  result.gcs_uri = fields.pointers("gcs_uri");
  if (auto route = fields.string("gcs_download")) {
    if (route->empty() || route->front() != '/') {
      invalid(fields.at("gcs_download"),
              "must be a path under storage_base_url, e.g. " +
                  std::string("\"/storage/v1/b/{bucket}/o/{object}?alt=media\""));
    }
    result.gcs_download = *route;
  }
  result.download_auth = fields.boolean("download_auth").value_or(false);
  result.filtered_count = fields.pointers("filtered_count");
  result.filtered_reasons = fields.pointers("filtered_reasons");
  if (auto missing = fields.string("missing")) {
    if (*missing == "expired") {
      result.missing_means_expired = true;
    } else if (*missing != "bad_reply") {
      invalid(fields.at("missing"), "\"" + *missing + "\" is not bad_reply or expired");
    }
  }
  if (const toml::table* lookup = fields.table("lookup")) {
    Fields lookup_fields(*lookup, fields.at("lookup"));
    RequestSpec request;
    request.method = read_method(lookup_fields, "GET");
    request.target = read_target(lookup_fields, true);
    if (const toml::table* vars = lookup_fields.table("vars")) {
      Fields var_fields(*vars, lookup_fields.at("vars"));
      for (const auto& [key, value] : *vars) {
        (void)value;
        result.lookup_vars[std::string(key.str())] = var_fields.pointers(key.str());
      }
    }
    if (auto cap = lookup_fields.integer("max_reply_bytes")) request.max_reply_bytes = *cap;
    lookup_fields.finish();
    result.lookup = std::move(request);
  }
  fields.finish();
  if (result.url.empty() && result.inline_base64.empty() && result.gcs_uri.empty()) {
    invalid(fields.path(), "give url, inline_base64 or gcs_uri (where the clip is)");
  }
  if (!result.gcs_uri.empty() && result.gcs_download.empty()) {
    invalid(fields.at("gcs_download"), "missing: gcs_uri needs the route that downloads it");
  }
}

void read_usage(const toml::table* table, UsageSpec& usage) {
  if (table == nullptr) return;
  Fields fields(*table, "usage");
  usage.object = fields.pointers("object");
  usage.seconds = fields.pointers("seconds");
  usage.tokens = fields.pointers("tokens");
  usage.units = fields.pointers("units");
  fields.finish();
}

void read_image(const toml::table* table, ImageSpec& image) {
  if (table == nullptr) return;
  Fields fields(*table, "image");
  if (fields.has("types")) image.types = fields.strings("types");
  for (const std::string& type : image.types) {
    if (!type.starts_with("image/")) invalid(fields.at("types"), "\"" + type + "\" is not image/*");
  }
  if (auto cap = fields.integer("max_bytes")) {
    if (*cap <= 0) invalid(fields.at("max_bytes"), "must be > 0");
    image.max_bytes = *cap;
  }
  fields.finish();
}

// ---- settings ----

bool sent_form(Fields& fields, std::string_view none_name = "none") {
  const std::string form = fields.string("form").value_or("field");
  if (form == "field") return true;
  if (form == none_name) return false;
  invalid(fields.at("form"), "\"" + form + "\" is not field or " + std::string(none_name));
}

DurationSetting read_duration(const toml::table& table, const std::string& where) {
  Fields fields(table, where);
  DurationSetting duration;
  duration.sent = sent_form(fields);
  duration.note = fields.string("note").value_or("");
  if (!duration.sent) {
    fields.finish();
    return duration;
  }
  const std::string type = fields.string("type").value_or("integer");
  if (type == "integer") {
    duration.type = ValueType::Integer;
  } else if (type == "string") {
    duration.type = ValueType::String;
  } else if (type == "number") {
    duration.type = ValueType::Number;
  } else {
    invalid(fields.at("type"), "\"" + type + "\" is not integer, string or number");
  }
  duration.values = fields.numbers("values");
  duration.min = fields.number("min");
  duration.max = fields.number("max");
  duration.round = fields.boolean("round").value_or(true);
  if (duration.values.empty() && (!duration.min || !duration.max)) {
    invalid(where, "give values = [...] or min and max (the durations the API takes)");
  }
  if (!duration.values.empty() && (duration.min || duration.max)) {
    invalid(where, "give values or min/max, not both");
  }
  if (duration.min && duration.max && *duration.min > *duration.max) {
    invalid(fields.at("min"), "is above max");
  }
  if (const toml::table* by = fields.table("by_resolution")) {
    Fields by_fields(*by, fields.at("by_resolution"));
    for (const auto& [key, value] : *by) {
      (void)value;
      auto allowed = by_fields.numbers(key.str());
      if (allowed.empty()) invalid(by_fields.at(key.str()), "expected a non-empty array");
      duration.by_resolution[std::string(key.str())] = std::move(allowed);
    }
  }
  std::sort(duration.values.begin(), duration.values.end());
  fields.finish();
  return duration;
}

ResolutionSetting read_resolution(const toml::table& table, const std::string& where) {
  Fields fields(table, where);
  ResolutionSetting resolution;
  resolution.sent = sent_form(fields);
  resolution.note = fields.string("note").value_or("");
  if (resolution.sent) {
    resolution.values = fields.string_map("values");
    if (resolution.values.empty()) {
      invalid(fields.at("values"), "missing: the track's tiers (\"720p\", ...) and what to send");
    }
    resolution.notes = fields.string_map("notes");
  }
  fields.finish();
  return resolution;
}

AspectSetting read_aspect(const toml::table& table, const std::string& where) {
  Fields fields(table, where);
  AspectSetting aspect;
  const std::string form = fields.string("form").value_or("ratio");
  if (form == "ratio") {
    aspect.form = AspectForm::Ratio;
  } else if (form == "pixels") {
    aspect.form = AspectForm::Pixels;
  } else if (form == "none") {
    aspect.form = AspectForm::None;
  } else {
    invalid(fields.at("form"), "\"" + form + "\" is not ratio, pixels or none");
  }
  if (auto separator = fields.string("separator")) {
    if (separator->empty()) invalid(fields.at("separator"), "must not be empty");
    aspect.separator = *separator;
  }
  aspect.values = fields.strings("values");
  aspect.note = fields.string("note").value_or("");
  fields.finish();
  return aspect;
}

SwitchSetting read_switch(const toml::table& table, const std::string& where) {
  Fields fields(table, where);
  SwitchSetting setting;
  const std::string form = fields.required_string("form");
  if (form == "boolean") {
    setting.form = SwitchForm::Boolean;
  } else if (form == "values") {
    setting.form = SwitchForm::Values;
    setting.on_value = fields.required_string("on");
    setting.off_value = fields.required_string("off");
  } else if (form == "always_on") {
    setting.form = SwitchForm::AlwaysOn;
  } else if (form == "always_off") {
    setting.form = SwitchForm::AlwaysOff;
  } else if (form == "not_sent") {
    setting.form = SwitchForm::NotSent;
  } else {
    invalid(fields.at("form"),
            "\"" + form + "\" is not boolean, values, always_on, always_off or not_sent");
  }
  setting.note = fields.string("note").value_or("");
  fields.finish();
  return setting;
}

SeedSetting read_seed(const toml::table& table, const std::string& where) {
  Fields fields(table, where);
  SeedSetting seed;
  seed.sent = sent_form(fields);
  seed.note = fields.string("note").value_or("");
  if (seed.sent) {
    seed.min = fields.integer("min").value_or(0);
    seed.max = fields.integer("max").value_or(2147483647);
    if (seed.min > seed.max) invalid(fields.at("min"), "is above max");
  }
  fields.finish();
  return seed;
}

// Reads the settings given in `table` over `settings` (a model variant replaces whole
// settings, keeping the others).
void read_settings(const toml::table* table, const std::string& where, SettingsSpec& settings) {
  if (table == nullptr) return;
  Fields fields(*table, where);
  if (const toml::table* t = fields.table("duration")) {
    settings.duration = read_duration(*t, fields.at("duration"));
  }
  if (const toml::table* t = fields.table("resolution")) {
    settings.resolution = read_resolution(*t, fields.at("resolution"));
  }
  if (const toml::table* t = fields.table("aspect")) {
    settings.aspect = read_aspect(*t, fields.at("aspect"));
  }
  if (const toml::table* t = fields.table("audio")) {
    settings.audio = read_switch(*t, fields.at("audio"));
  }
  if (const toml::table* t = fields.table("watermark")) {
    settings.watermark = read_switch(*t, fields.at("watermark"));
  }
  if (const toml::table* t = fields.table("seed")) settings.seed = read_seed(*t, fields.at("seed"));
  fields.finish();
}

std::set<store::Task> read_tasks(Fields& fields, std::string_view key) {
  std::set<store::Task> tasks;
  for (const std::string& name : fields.strings(key)) {
    const auto task = store::parse_task(name);
    if (!task) {
      invalid(fields.at(key),
              "\"" + name + "\" is not text-to-video, image-to-video or video-edit");
    }
    tasks.insert(*task);
  }
  return tasks;
}

void read_submit(const toml::table* table, SubmitSpec& submit) {
  if (table == nullptr) invalid("submit", "missing (the request that creates a task)");
  Fields fields(*table, "submit");
  submit.method = read_method(fields, "POST");
  const std::string default_target = read_target(fields, false);
  json default_body;
  if (const toml::node* body = fields.get("body")) {
    if (!body->is_table()) invalid(fields.at("body"), "expected a table (the JSON body)");
    default_body = json_from_toml(*body, fields.at("body"));
  }
  const auto default_handle = fields.string_map("handle");
  const auto default_notes = fields.strings("notes");
  const std::set<store::Task> tasks = read_tasks(fields, "tasks");
  if (tasks.empty()) invalid(fields.at("tasks"), "missing: the tasks this API makes");
  for (const store::Task task : tasks) {
    TaskSubmit one{default_target, default_body, default_handle, default_notes};
    const std::string key(store::to_string(task));
    if (const toml::table* own = fields.table(key)) {
      Fields own_fields(*own, fields.at(key));
      if (std::string target = read_target(own_fields, false); !target.empty()) {
        one.target = std::move(target);
      }
      if (const toml::node* body = own_fields.get("body")) {
        if (!body->is_table()) invalid(own_fields.at("body"), "expected a table");
        one.body = json_from_toml(*body, own_fields.at("body"));
      }
      for (auto& [k, v] : own_fields.string_map("handle")) one.handle[k] = v;
      for (std::string& note : own_fields.strings("notes")) one.notes.push_back(std::move(note));
      own_fields.finish();
    }
    if (one.target.empty()) invalid(fields.at(key), "missing path (here or in [submit])");
    if (!one.body.is_object()) invalid(fields.at(key), "missing body (here or in [submit])");
    submit.tasks.emplace(task, std::move(one));
  }
  for (const std::string task_name : {"text-to-video", "image-to-video", "video-edit"}) {
    if (fields.has(task_name) && !tasks.contains(*store::parse_task(task_name))) {
      invalid(fields.at(task_name), "this task is not in submit.tasks");
    }
  }
  submit.task_id = fields.pointers("task_id");
  if (const toml::table* from_reply = fields.table("handle_from_reply")) {
    Fields reply_fields(*from_reply, fields.at("handle_from_reply"));
    for (const auto& [key, value] : *from_reply) {
      (void)value;
      submit.handle_from_reply[std::string(key.str())] = reply_fields.pointers(key.str());
    }
  }
  if (auto at = fields.string("fixed_parameters_at")) {
    if (!at->empty()) {
      try {
        submit.fixed_parameters_at = JsonPointer(*at);
      } catch (const json::exception& e) {
        invalid(fields.at("fixed_parameters_at"), std::string("not a JSON pointer: ") + e.what());
      }
    }
  }
  fields.finish();
  if (submit.task_id.empty()) invalid(fields.at("task_id"), "missing (a JSON pointer)");
}

void read_models(const toml::node* node, TaskProtocol& protocol) {
  if (node == nullptr) return;
  const toml::array* array = node->as_array();
  if (array == nullptr || !array->is_array_of_tables()) {
    invalid("models", "expected an array of tables ([[models]])");
  }
  for (std::size_t i = 0; i < array->size(); ++i) {
    const std::string where = "models[" + std::to_string(i) + "]";
    Fields fields(*array->get(i)->as_table(), where);
    ModelVariant variant;
    variant.patterns = fields.strings("match");
    if (variant.patterns.empty()) invalid(fields.at("match"), "missing (model ids, '*' allowed)");
    variant.settings = protocol.settings;
    read_settings(fields.table("settings"), fields.at("settings"), variant.settings);
    if (fields.has("tasks")) variant.tasks = read_tasks(fields, "tasks");
    variant.notes = fields.strings("notes");
    fields.finish();
    protocol.models.push_back(std::move(variant));
  }
}

void read_find_by_reference(const toml::table* table, TaskProtocol& protocol) {
  if (table == nullptr) return;
  Fields fields(*table, "find_by_reference");
  FindByReferenceSpec find;
  find.request.method = read_method(fields, "GET");
  find.request.target = read_target(fields, true);
  find.task_id = fields.pointers("task_id");
  if (find.task_id.empty()) invalid(fields.at("task_id"), "missing (a JSON pointer)");
  if (const toml::node* statuses = fields.get("not_found")) {
    const toml::array* array = statuses->as_array();
    if (array == nullptr) invalid(fields.at("not_found"), "expected an array of HTTP statuses");
    find.not_found_statuses.clear();
    for (const auto& item : *array) {
      const auto status = item.value<std::int64_t>();
      if (!status || *status < 200 || *status > 599) {
        invalid(fields.at("not_found"), "expected HTTP statuses (200..599)");
      }
      find.not_found_statuses.insert(static_cast<int>(*status));
    }
  }
  fields.finish();
  protocol.find_by_reference = std::move(find);
}

// Every placeholder names a variable that exists where it is used, and every setting the
// protocol sends is placed somewhere in a body.
void check_variables(const TaskProtocol& protocol) {
  std::set<std::string> handle_names = {"handle.model"};
  for (const auto& [task, submit] : protocol.submit.tasks) {
    for (const auto& [key, value] : submit.handle) handle_names.insert("handle." + key);
  }
  for (const auto& [key, pointers] : protocol.submit.handle_from_reply) {
    handle_names.insert("handle." + key);
  }

  std::set<std::string> used_in_bodies;
  for (const auto& [task, submit] : protocol.submit.tasks) {
    const std::string where = "submit." + std::string(store::to_string(task));
    auto body = body_placeholders(submit.body, where + ".body");
    check_placeholders(body, request_variables(), where + ".body");
    check_placeholders(target_placeholders(submit.target, where + ".path"), request_variables(),
                       where + ".path");
    used_in_bodies.insert(body.begin(), body.end());
  }

  std::set<std::string> poll_vars = handle_names;
  poll_vars.insert({"task_id", "model"});
  check_placeholders(target_placeholders(protocol.poll.request.target, "poll.path"), poll_vars,
                     "poll.path");
  if (!protocol.poll.request.body.is_null()) {
    check_placeholders(body_placeholders(protocol.poll.request.body, "poll.body"), poll_vars,
                       "poll.body");
  }
  if (protocol.result.lookup) {
    std::set<std::string> lookup_vars = poll_vars;
    for (const auto& [key, pointers] : protocol.result.lookup_vars) lookup_vars.insert(key);
    check_placeholders(target_placeholders(protocol.result.lookup->target, "result.lookup.path"),
                       lookup_vars, "result.lookup.path");
  }
  if (!protocol.result.gcs_download.empty()) {
    check_placeholders(target_placeholders(protocol.result.gcs_download, "result.gcs_download"),
                       {"bucket", "object"}, "result.gcs_download");
  }
  if (protocol.find_by_reference) {
    std::set<std::string> find_vars = handle_names;
    find_vars.insert({"reference", "model"});
    check_placeholders(
        target_placeholders(protocol.find_by_reference->request.target, "find_by_reference.path"),
        find_vars, "find_by_reference.path");
  }

  auto check_settings = [&](const SettingsSpec& settings, const std::string& where) {
    auto require = [&](bool sent, const std::string& variable, const std::string& setting) {
      if (sent && !used_in_bodies.contains(variable)) {
        invalid(where + "." + setting, "is mapped, but no submit body sends {" + variable + "}");
      }
    };
    require(settings.duration.sent, "duration", "duration");
    require(settings.resolution.sent, "resolution", "resolution");
    require(settings.aspect.form != AspectForm::None, "aspect", "aspect");
    require(settings.audio.form == SwitchForm::Boolean || settings.audio.form == SwitchForm::Values,
            "audio", "audio");
    require(settings.watermark.form == SwitchForm::Boolean ||
                settings.watermark.form == SwitchForm::Values,
            "watermark", "watermark");
    require(settings.seed.sent, "seed", "seed");
  };
  check_settings(protocol.settings, "settings");
  for (std::size_t i = 0; i < protocol.models.size(); ++i) {
    check_settings(protocol.models[i].settings, "models[" + std::to_string(i) + "].settings");
  }
  if (protocol.find_by_reference && !used_in_bodies.contains("reference")) {
    invalid("find_by_reference", "no submit body sends {reference}, so nothing can be found by it");
  }
}

TaskProtocol read_protocol(const toml::table& table, std::string_view name) {
  Fields fields(table, "");
  TaskProtocol protocol;
  protocol.name = std::string(name);
  (void)fields.string("name");  // the file's own name for itself; the caller's counts
  protocol.title = fields.string("title").value_or(protocol.name);
  protocol.refetch = fields.boolean("refetch").value_or(false);
  if (auto url = fields.string("base_url")) protocol.base_urls[""] = *url;
  for (auto& [region, url] : fields.string_map("base_urls")) protocol.base_urls[region] = url;
  protocol.default_region = fields.string("default_region").value_or("");
  if (fields.has("base_url") && fields.has("base_urls")) {
    invalid("base_url", "give base_url or base_urls, not both");
  }
  if (!protocol.default_region.empty() && !protocol.base_urls.contains(protocol.default_region)) {
    invalid("default_region", "\"" + protocol.default_region + "\" is not in base_urls");
  }
  if (fields.has("base_urls") && protocol.default_region.empty()) {
    invalid("default_region", "missing: which of base_urls is the default");
  }
  for (const auto& [region, url] : protocol.base_urls) {
    if (!url.starts_with("https://") && !url.starts_with("http://")) {
      invalid(region.empty() ? "base_url" : "base_urls." + region, "must be an http(s) URL");
    }
  }
  read_auth(fields.table("auth"), protocol.auth);
  for (const auto& [header, value] : fields.string_map("headers")) {
    protocol.headers.emplace_back(header, value);
  }
  read_submit(fields.table("submit"), protocol.submit);
  read_poll(fields.table("poll"), protocol.poll);
  read_envelope(fields.table("envelope"), protocol.envelope);
  read_errors(fields.table("errors"), protocol.errors);
  read_result(fields.table("result"), protocol.result);
  read_usage(fields.table("usage"), protocol.usage);
  read_image(fields.table("image"), protocol.image);
  read_settings(fields.table("settings"), "settings", protocol.settings);
  read_models(fields.get("models"), protocol);
  read_find_by_reference(fields.table("find_by_reference"), protocol);
  fields.finish();
  check_variables(protocol);
  return protocol;
}

}  // namespace

const nlohmann::json* PointerList::find(const nlohmann::json& document) const {
  for (const JsonPointer& pointer : pointers) {
    if (!document.contains(pointer)) continue;
    const nlohmann::json& value = document.at(pointer);
    if (!value.is_null()) return &value;
  }
  return nullptr;
}

const nlohmann::json* PointerList::find_string(const nlohmann::json& document) const {
  for (const JsonPointer& pointer : pointers) {
    if (document.contains(pointer) && document.at(pointer).is_string())
      return &document.at(pointer);
  }
  return nullptr;
}

bool glob_match(std::string_view pattern, std::string_view model) {
  // Iterative matching with one backtrack point, enough for '*' alone.
  std::size_t p = 0, m = 0, star = std::string_view::npos, resume = 0;
  while (m < model.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = m;
    } else if (p < pattern.size() && pattern[p] == model[m]) {
      ++p;
      ++m;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      m = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool code_listed(const std::set<std::string>& codes, std::string_view code) {
  if (codes.contains(std::string(code))) return true;
  return std::any_of(codes.begin(), codes.end(), [code](const std::string& pattern) {
    return pattern.find('*') != std::string::npos && glob_match(pattern, code);
  });
}

const ModelVariant* TaskProtocol::variant_for(std::string_view model) const {
  for (const ModelVariant& variant : models) {
    for (const std::string& pattern : variant.patterns) {
      if (glob_match(pattern, model)) return &variant;
    }
  }
  return nullptr;
}

const SettingsSpec& TaskProtocol::settings_for(std::string_view model) const {
  const ModelVariant* variant = variant_for(model);
  return variant != nullptr ? variant->settings : settings;
}

Result<TaskProtocol> parse_task_protocol(const toml::table& table, std::string_view name) {
  try {
    return read_protocol(table, name);
  } catch (const InvalidProtocol& e) {
    return fail("bad_config", "protocol " + std::string(name) + ": " + e.message);
  }
}

Result<TaskProtocol> parse_task_protocol(std::string_view toml_text, std::string_view name) {
  toml::table table;
  try {
    table = toml::parse(toml_text, name);
  } catch (const toml::parse_error& e) {
    std::ostringstream where;
    where << "protocol " << name;
    if (e.source().begin) where << ":" << e.source().begin.line;
    return fail("bad_config", where.str() + ": " + std::string(e.description()));
  }
  return parse_task_protocol(table, name);
}

}  // namespace paddock::generate
