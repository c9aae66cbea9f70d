#include "generate/protocol_provider.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <numeric>
#include <system_error>

#include "base/text.hpp"
#include "generate/encoding.hpp"
#include "generate/jwt.hpp"
#include "generate/presets.hpp"
#include "generate/protocol_template.hpp"
#include "generate/redaction.hpp"
#include "generate/setting_mapping.hpp"

namespace paddock::generate {

using nlohmann::json;

namespace {

// Bytes of a reply body quoted in an error message.
constexpr std::size_t kQuotedBytes = 300;
// The longest task id accepted from a reply.
constexpr std::size_t kMaxTaskIdBytes = 512;

// A JSON value as a status token or code: strings as they are, true/false, numbers in
// decimal, absent or null as "".
std::string token_of(const json* value) {
  if (value == nullptr || value->is_null()) return {};
  if (value->is_string()) return value->get<std::string>();
  if (value->is_boolean()) return value->get<bool>() ? "true" : "false";
  if (value->is_number_integer()) return std::to_string(value->get<std::int64_t>());
  if (value->is_number_unsigned()) return std::to_string(value->get<std::uint64_t>());
  return value->dump();
}

// Text for a message: a string as it is, anything else compactly.
std::string text_of(const json* value) {
  if (value == nullptr || value->is_null()) return {};
  if (value->is_string()) return value->get<std::string>();
  if (value->is_array() && !value->empty() && value->front().is_string()) {
    std::string joined;
    for (const json& item : *value) {
      if (!item.is_string()) continue;
      if (!joined.empty()) joined += "; ";
      joined += item.get<std::string>();
    }
    return joined;
  }
  return value->dump();
}

std::optional<double> number_of(const json* value) {
  if (value == nullptr) return std::nullopt;
  if (value->is_number()) return value->get<double>();
  if (value->is_string()) {
    const std::string& text = value->get_ref<const std::string&>();
    char* end = nullptr;
    const double number = std::strtod(text.c_str(), &end);
    if (!text.empty() && end == text.c_str() + text.size() && std::isfinite(number)) return number;
  }
  return std::nullopt;
}

// A task id the protocol can use in a path: no control characters or spaces, no "." or ".."
// segment that would climb out of the route.
bool acceptable_task_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxTaskIdBytes) return false;
  for (const char c : id) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '?' || c == '#' || c == '\\') return false;
  }
  std::size_t start = 0;
  while (start <= id.size()) {
    const auto slash = id.find('/', start);
    const auto segment =
        id.substr(start, slash == std::string_view::npos ? id.npos : slash - start);
    if (segment == "." || segment == "..") return false;
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return true;
}

// "scheme://host:port" in lower case with the default port written out, or "" when `url` is
// not an absolute http(s) URL.
std::string origin_of(std::string_view url) {
  const std::string lower = ascii_lower(url);
  std::string_view rest = lower;
  std::string scheme;
  if (rest.starts_with("https://")) {
    scheme = "https";
  } else if (rest.starts_with("http://")) {
    scheme = "http";
  } else {
    return {};
  }
  rest.remove_prefix(scheme.size() + 3);
  const auto end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  if (authority.empty() || authority.find('@') != std::string_view::npos) return {};
  std::string host(authority);
  const auto colon = authority.rfind(':');
  const auto bracket = authority.rfind(']');
  if (colon == std::string_view::npos || (bracket != std::string_view::npos && colon < bracket)) {
    host += scheme == "https" ? ":443" : ":80";
  }
  return scheme + "://" + host;
}

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

Status write_inline_clip(int fd, std::string_view bytes, const std::filesystem::path& path) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("io_error", path.string() + ": " + std::strerror(errno));
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return ok();
}

// The source image as the protocol's variables, and as the placeholders that stand for it in
// a plan (a plan is shown and recorded, so it never holds the image itself).
struct SourceImage {
  std::string mime;
  std::int64_t bytes = 0;
  std::string file_name;

  std::string data_uri_marker() const {
    return "<source image " + file_name + " (" + mime + ", " + std::to_string(bytes) +
           " bytes) as a data URI>";
  }
  std::string base64_marker() const {
    return "<source image " + file_name + " (" + mime + ", " + std::to_string(bytes) +
           " bytes) in Base64>";
  }
};

Result<SourceImage> inspect_source(const GenerationRequest& request, const ImageSpec& spec,
                                   std::string_view provider) {
  const std::string where = std::string(provider) + ": source image " + request.source.string();
  if (request.source.empty())
    return fail("unsupported",
                std::string(provider) + ": " + "image-to-video needs a source image");
  std::error_code ec;
  const auto size = std::filesystem::file_size(request.source, ec);
  if (ec) return fail("not_found", where + ": " + ec.message());
  std::ifstream in(request.source, std::ios::binary);
  char head[16] = {};
  in.read(head, sizeof head);
  const std::string_view sniffed = sniff_image_type(std::string_view(head, in.gcount()));
  SourceImage image{std::string(sniffed), static_cast<std::int64_t>(size),
                    request.source.filename().string()};
  if (image.mime.empty()) image.mime = request.source_mime;
  if (std::find(spec.types.begin(), spec.types.end(), image.mime) == spec.types.end()) {
    std::string types;
    for (const std::string& type : spec.types) types += (types.empty() ? "" : ", ") + type;
    return fail("unsupported", where + " is " +
                                   (image.mime.empty() ? "not a known image type" : image.mime) +
                                   "; the API takes " + types);
  }
  if (image.bytes > spec.max_bytes) {
    return fail("unsupported", where + " has " + std::to_string(image.bytes) +
                                   " bytes; the API takes at most " +
                                   std::to_string(spec.max_bytes));
  }
  return image;
}

// Replaces, anywhere in `body`, the strings equal to a key of `swaps` by its value.
void swap_strings(json& body, const std::map<std::string, std::string>& swaps) {
  if (body.is_string()) {
    if (const auto it = swaps.find(body.get<std::string>()); it != swaps.end()) body = it->second;
  } else if (body.is_structured()) {
    for (json& child : body) swap_strings(child, swaps);
  }
}

// Merges the model's fixed parameters into the body at `at`; the track's mapped settings
// win over a fixed parameter of the same name (said in a deviation).
void merge_fixed_parameters(json& body, const json& fixed, const JsonPointer& at,
                            std::vector<std::string>& deviations) {
  if (!fixed.is_object() || fixed.empty()) return;
  json& target = body[at];
  if (target.is_null()) target = json::object();
  if (!target.is_object()) return;
  for (const auto& [key, value] : fixed.items()) {
    if (target.contains(key)) {
      if (target[key] != value) {
        deviations.push_back("fixed parameter " + key + " = " + value.dump() +
                             " not used: the track's setting sends " + target[key].dump());
      }
      continue;
    }
    target[key] = value;
  }
}

TemplateVars handle_vars(const SubmittedTask& task) {
  TemplateVars vars;
  for (const auto& [key, value] : task.handle.items()) {
    if (value.is_string()) vars["handle." + key] = value;
  }
  if (const auto model = task.handle.find("model"); model != task.handle.end()) {
    vars["model"] = *model;
  }
  vars["task_id"] = task.task_id;
  return vars;
}

// What the provider needs to price a clip later, kept in the handle (poll() has no request).
json priced_clip_json(const PricedClip& clip) {
  return {{"duration_s", clip.duration_s},
          {"width", clip.width},
          {"height", clip.height},
          {"resolution", clip.resolution},
          {"tier", clip.tier}};
}

PricedClip priced_clip_from(const json& handle) {
  PricedClip clip;
  const auto it = handle.find("priced");
  if (it == handle.end() || !it->is_object()) return clip;
  clip.duration_s = it->value("duration_s", 0.0);
  clip.width = it->value("width", 0);
  clip.height = it->value("height", 0);
  clip.resolution = it->value("resolution", "");
  clip.tier = it->value("tier", "");
  return clip;
}

}  // namespace

// ---- construction ----

ProtocolProvider::ProtocolProvider(std::string name, TaskProtocol protocol,
                                   ProtocolEndpoints endpoints, ProtocolCredentials credentials,
                                   PriceTable prices, Client client)
    : name_(std::move(name)),
      protocol_(std::move(protocol)),
      endpoints_(std::move(endpoints)),
      credentials_(std::move(credentials)),
      prices_(std::move(prices)),
      client_(std::move(client)) {
  while (endpoints_.base_url.ends_with('/')) endpoints_.base_url.pop_back();
  while (endpoints_.storage_base_url.ends_with('/')) endpoints_.storage_base_url.pop_back();
}

// ---- plan ----

Result<PlannedRequest> ProtocolProvider::plan(const GenerationRequest& request) const {
  const auto task = protocol_.submit.tasks.find(request.task);
  const ModelVariant* variant = protocol_.variant_for(request.provider_model);
  if (task == protocol_.submit.tasks.end() ||
      (variant != nullptr && variant->tasks && !variant->tasks->contains(request.task))) {
    return fail("unsupported", name_ + ": " + request.provider_model + " cannot make " +
                                   std::string(store::to_string(request.task)) + " through " +
                                   protocol_.title);
  }
  const std::set<std::string> used = *body_placeholders_in(task->second.body);
  auto mapped =
      map_settings(protocol_.settings_for(request.provider_model), request, used, protocol_.title);
  if (!mapped) {
    return fail(mapped.error().code, name_ + ": " + mapped.error().message);
  }
  TemplateVars vars = std::move(mapped->vars);
  vars["model"] = request.provider_model;
  if (!request.prompt_text.empty()) vars["prompt"] = request.prompt_text;
  if (!request.client_reference.empty()) vars["reference"] = request.client_reference;
  if (request.task == store::Task::ImageToVideo) {
    auto image = inspect_source(request, protocol_.image, name_);
    if (!image) return std::unexpected(image.error());
    vars["image_data_uri"] = image->data_uri_marker();
    vars["image_base64"] = image->base64_marker();
    vars["image_mime"] = image->mime;
  }

  PlannedRequest planned;
  planned.parameters = render_body(task->second.body, vars);
  planned.deviations = std::move(mapped->deviations);
  merge_fixed_parameters(planned.parameters, request.fixed_parameters,
                         protocol_.submit.fixed_parameters_at, planned.deviations);
  for (const std::string& note : task->second.notes) planned.deviations.push_back(note);
  if (variant != nullptr) {
    for (const std::string& note : variant->notes) planned.deviations.push_back(note);
  }
  if (const Price* price = prices_.find(request.provider_model)) {
    planned.estimated_cost = estimate_cost(*price, mapped->clip);
  }
  return planned;
}

// ---- requests ----

struct ProtocolProvider::Call {
  std::string method;
  std::string url;
  json body;  // null: none
  std::optional<std::int64_t> max_reply_bytes;
};

Result<std::string> ProtocolProvider::url_for(std::string_view target,
                                              bool carries_credentials) const {
  if (target.starts_with("/")) return endpoints_.base_url + std::string(target);
  const std::string base_origin = origin_of(endpoints_.base_url);
  const std::string origin = origin_of(target);
  if (origin.empty()) {
    return fail("bad_reply", name_ + ": \"" + redact_url(target) + "\" is not an http(s) URL");
  }
  if (carries_credentials && origin != base_origin) {
    return fail("bad_reply", name_ + ": the reply names " + redact_url(target) +
                                 ", on another host than " + redact_url(endpoints_.base_url) +
                                 "; paddock does not send the credentials there");
  }
  return std::string(target);
}

Result<Request> ProtocolProvider::authorised(Request request) const {
  if (credentials_.missing) return std::unexpected(*credentials_.missing);
  switch (protocol_.auth.scheme) {
    case AuthScheme::Bearer:
      request.secret_headers.push_back(bearer_authorization(credentials_.key));
      break;
    case AuthScheme::Header:
      request.secret_headers.push_back(
          {protocol_.auth.header,
           Secret(protocol_.auth.prefix + std::string(credentials_.key.reveal()))});
      break;
    case AuthScheme::KlingJwt: {
      // A fresh token per request: signing is cheap, and a token never outlives its call.
      const Secret token = kling_jwt(credentials_.access_key, credentials_.secret_key,
                                     std::chrono::system_clock::now());
      request.secret_headers.push_back(bearer_authorization(token));
      break;
    }
    case AuthScheme::None:
      break;
  }
  for (const auto& [header, value] : protocol_.headers) request.headers.add(header, value);
  return request;
}

std::string ProtocolProvider::scrubbed(std::string_view text) const {
  std::vector<std::string_view> secrets;
  for (const Secret* secret :
       {&credentials_.key, &credentials_.access_key, &credentials_.secret_key}) {
    if (!secret->empty()) secrets.push_back(secret->reveal());
  }
  return scrub(text, secrets);
}

Error ProtocolProvider::reply_error(const Request& request, int status, const HeaderList& headers,
                                    std::string_view body) const {
  std::string code;
  std::string message;
  try {
    const json reply = json::parse(body);
    code = token_of(protocol_.errors.code.find(reply));
    message = text_of(protocol_.errors.message.find(reply));
  } catch (const json::exception&) {
  }
  if (message.empty()) message = std::string(body);
  std::string what = describe(request);
  if (!code.empty()) what += ": " + code;
  if (!message.empty()) what += ": " + one_line(message, kQuotedBytes);
  what = scrubbed(what);
  const bool retryable = status == 408 || status == 429 || (status >= 500 && status <= 599);
  if (retryable && !code_listed(protocol_.errors.refusal_codes, code)) {
    std::optional<std::string> retry_after;
    if (auto value = headers.get("retry-after")) retry_after = std::string(*value);
    return http_error(status, retry_after, name_ + ": " + what);
  }
  return Error{"refused",
               name_ + " refused the request (HTTP " + std::to_string(status) + "): " + what};
}

std::optional<Error> ProtocolProvider::envelope_error(const Request& request,
                                                      const json& reply) const {
  const EnvelopeSpec& envelope = protocol_.envelope;
  if (envelope.code.empty()) return std::nullopt;
  const json* found = envelope.code.find(reply);
  if (found == nullptr) return std::nullopt;  // no envelope: judged by the rest of the reply
  const std::string code = token_of(found);
  if (envelope.ok.contains(code)) return std::nullopt;
  const std::string message = text_of(envelope.message.find(reply));
  const std::string what =
      scrubbed(describe(request) + ": code " + code +
               (message.empty() ? "" : ": " + one_line(message, kQuotedBytes)));
  if (code_listed(envelope.rate_limit_codes, code)) {
    return http_error(429, std::nullopt, name_ + ": rate limited in an HTTP 200 reply: " + what);
  }
  if (code_listed(envelope.retryable_codes, code)) {
    return http_error(503, std::nullopt, name_ + ": provider error in an HTTP 200 reply: " + what);
  }
  return Error{"refused", name_ + " refused the request: " + what};
}

Result<Response> ProtocolProvider::send(const Call& call) const {
  Request request;
  request.method = call.method;
  request.url = call.url;
  request.max_response_bytes = call.max_reply_bytes;
  if (!call.body.is_null()) {
    request.body = call.body.dump();
    request.headers.add("Content-Type", "application/json");
  }
  request.headers.add("Accept", "application/json");
  auto signed_request = authorised(std::move(request));
  if (!signed_request) return std::unexpected(signed_request.error());
  auto response = client_.send(*signed_request);
  if (!response) {
    return fail(response.error().code, name_ + ": " + scrubbed(response.error().message));
  }
  return response;
}

Result<json> ProtocolProvider::parse_reply(const Call& call, const Response& response) const {
  const Request shown{call.method, call.url};
  if (!response.ok()) {
    return std::unexpected(reply_error(shown, response.status, response.headers, response.body));
  }
  json reply;
  try {
    reply = json::parse(response.body);
  } catch (const json::exception&) {
    return fail("bad_reply",
                name_ + ": " + describe(shown) + ": HTTP " + std::to_string(response.status) +
                    " reply is not JSON: " + scrubbed(one_line(response.body, kQuotedBytes)));
  }
  return reply;
}

Result<json> ProtocolProvider::call_json(const Call& call) const {
  auto response = send(call);
  if (!response) return std::unexpected(response.error());
  auto reply = parse_reply(call, *response);
  if (!reply) return reply;
  if (auto error = envelope_error(Request{call.method, call.url}, *reply)) {
    return std::unexpected(*error);
  }
  return reply;
}

// ---- submit ----

Result<SubmittedTask> ProtocolProvider::submit(const GenerationRequest& request,
                                               const PlannedRequest& planned) {
  const auto task = protocol_.submit.tasks.find(request.task);
  if (task == protocol_.submit.tasks.end()) {
    return fail("unsupported", name_ + ": " + std::string(store::to_string(request.task)) +
                                   " is not in the protocol");
  }
  json body = planned.parameters;
  if (request.task == store::Task::ImageToVideo) {
    auto image = inspect_source(request, protocol_.image, name_);
    if (!image) return std::unexpected(image.error());
    auto data_uri = data_uri_from_file(request.source, image->mime, protocol_.image.max_bytes);
    if (!data_uri) return fail(data_uri.error().code, name_ + ": " + data_uri.error().message);
    const std::string base64 = data_uri->substr(data_uri->find(',') + 1);
    swap_strings(body, {{image->data_uri_marker(), *data_uri}, {image->base64_marker(), base64}});
  }
  TemplateVars vars{{"model", request.provider_model}};
  auto target = render_target(task->second.target, vars);
  if (!target) return fail("bad_config", name_ + ": " + target.error().message);
  auto url = url_for(*target, true);
  if (!url) return std::unexpected(url.error());

  auto reply = call_json({protocol_.submit.method, *url, std::move(body), std::nullopt});
  if (!reply) return std::unexpected(reply.error());

  const std::string task_id = token_of(protocol_.submit.task_id.find(*reply));
  if (!acceptable_task_id(task_id)) {
    return fail("bad_reply", name_ + ": the submit reply has no usable task id" +
                                 (task_id.empty() ? "" : " (\"" + one_line(task_id, 80) + "\")") +
                                 ": " + scrubbed(one_line(reply->dump(), kQuotedBytes)));
  }
  SubmittedTask submitted{task_id, json::object()};
  for (const auto& [key, value] : task->second.handle) submitted.handle[key] = value;
  for (const auto& [key, pointers] : protocol_.submit.handle_from_reply) {
    const std::string value = token_of(pointers.find(*reply));
    if (value.empty()) {
      return fail("bad_reply", name_ + ": the submit reply has no " + key + ": " +
                                   scrubbed(one_line(reply->dump(), kQuotedBytes)));
    }
    submitted.handle[key] = value;
  }
  submitted.handle["model"] = request.provider_model;
  auto mapped = map_settings(protocol_.settings_for(request.provider_model), request,
                             *body_placeholders_in(task->second.body), protocol_.title);
  if (mapped) submitted.handle["priced"] = priced_clip_json(mapped->clip);
  return submitted;
}

// ---- poll ----

Result<TaskStatus> ProtocolProvider::poll(const SubmittedTask& task) {
  if (!acceptable_task_id(task.task_id)) {
    return fail("bad_reply", name_ + ": \"" + one_line(task.task_id, 80) +
                                 "\" is not a task id this protocol can poll");
  }
  TemplateVars vars = handle_vars(task);
  auto target = render_target(protocol_.poll.request.target, vars);
  if (!target) return fail("bad_reply", name_ + ": cannot poll: " + target.error().message);
  auto url = url_for(*target, true);
  if (!url) return std::unexpected(url.error());
  json body;
  if (!protocol_.poll.request.body.is_null()) {
    body = render_body(protocol_.poll.request.body, vars);
  }
  const Call call{protocol_.poll.request.method, *url, std::move(body),
                  protocol_.poll.request.max_reply_bytes};
  auto response = send(call);
  if (!response) return std::unexpected(response.error());
  if (response->status == 404) {
    // A task the provider no longer knows (deleted, older than it keeps tasks) is over.
    TaskStatus gone;
    gone.state = TaskState::Expired;
    gone.provider_status = "HTTP 404";
    gone.error_code = "not_found";
    gone.error_message = scrubbed(one_line(response->body, kQuotedBytes));
    return gone;
  }
  auto reply = parse_reply(call, *response);
  if (!reply) return std::unexpected(reply.error());
  return read_status(task, Request{call.method, call.url}, *reply);
}

Result<TaskStatus> ProtocolProvider::read_status(const SubmittedTask& task, const Request& shown,
                                                 const json& reply) const {
  const PollSpec& poll = protocol_.poll;
  TaskStatus status;
  status.provider_status = token_of(poll.status.find(reply));
  const auto mapped = poll.states.find(status.provider_status);
  const bool failed_field = poll.failure.present.find(reply) != nullptr;
  if (mapped == poll.states.end() && !failed_field) {
    if (auto error = envelope_error(shown, reply)) return std::unexpected(*error);
    return fail("bad_reply",
                name_ + ": " + describe(shown) + ": status " +
                    (status.provider_status.empty() ? "missing"
                                                    : "\"" + one_line(status.provider_status, 80) +
                                                          "\" is not in the protocol's mapping") +
                    ": " + scrubbed(one_line(reply.dump(), kQuotedBytes)));
  }
  status.state = failed_field ? TaskState::Failed : mapped->second;
  if (const json* usage = protocol_.usage.object.find(reply)) status.usage = *usage;

  if (status.state == TaskState::Failed || status.state == TaskState::Expired ||
      status.state == TaskState::Canceled) {
    const FailureSpec& failure = poll.failure;
    status.error_code = token_of(failure.code.find(reply));
    status.error_message = scrubbed(one_line(text_of(failure.message.find(reply)), 1000));
    if (status.state == TaskState::Failed) {
      if (const auto other = failure.code_states.find(status.error_code);
          other != failure.code_states.end()) {
        status.state = other->second;
      }
    }
    if (status.state == TaskState::Failed) {
      if (code_listed(failure.refusal_codes, status.error_code)) {
        status.refusal = true;
      } else if (code_listed(failure.retryable_codes, status.error_code)) {
        status.refusal = false;
      } else {
        status.refusal = failure.refusal_by_default;
        const std::string lower = ascii_lower(status.error_message);
        for (const std::string& words : failure.refusal_messages) {
          if (lower.find(ascii_lower(words)) != std::string::npos) status.refusal = true;
        }
      }
    }
    return status;
  }
  if (status.state != TaskState::Succeeded) return status;
  if (auto read = read_result(task, reply, status); !read) return std::unexpected(read.error());
  return status;
}

Status ProtocolProvider::read_result(const SubmittedTask& task, const json& poll_reply,
                                     TaskStatus& status) const {
  const ResultSpec& result = protocol_.result;
  json looked_up;
  const json* source = &poll_reply;
  if (result.lookup) {
    TemplateVars vars = handle_vars(task);
    for (const auto& [key, pointers] : result.lookup_vars) {
      const std::string value = token_of(pointers.find(poll_reply));
      if (!value.empty()) vars[key] = value;
    }
    auto target = render_target(result.lookup->target, vars);
    if (!target) {
      return fail("bad_reply", name_ + ": the succeeded reply lacks what the result lookup " +
                                   "needs: " + target.error().message);
    }
    auto url = url_for(*target, true);
    if (!url) return std::unexpected(url.error());
    auto reply = call_json({result.lookup->method, *url, json(), result.lookup->max_reply_bytes});
    if (!reply) return std::unexpected(reply.error());
    looked_up = std::move(*reply);
    source = &looked_up;
  }
  if (const json* url = result.url.find_string(*source)) {
    status.result_url = url->get<std::string>();
  } else if (const json* bytes = result.inline_base64.find_string(*source)) {
    status.inline_base64 = bytes->get<std::string>();
  } else if (const json* gcs = result.gcs_uri.find_string(*source)) {
    status.result_url = gcs->get<std::string>();
  }
  if (!status.result_url.empty() || !status.inline_base64.empty()) {
    const std::string model = task.handle.value("model", "");
    if (const Price* price = prices_.find(model)) {
      const ReportedUsage usage{number_of(protocol_.usage.seconds.find(*source)),
                                number_of(protocol_.usage.tokens.find(*source)),
                                number_of(protocol_.usage.units.find(*source))};
      ReportedUsage from_poll{number_of(protocol_.usage.seconds.find(poll_reply)),
                              number_of(protocol_.usage.tokens.find(poll_reply)),
                              number_of(protocol_.usage.units.find(poll_reply))};
      status.cost = reported_cost(*price, priced_clip_from(task.handle),
                                  {usage.seconds ? usage.seconds : from_poll.seconds,
                                   usage.tokens ? usage.tokens : from_poll.tokens,
                                   usage.units ? usage.units : from_poll.units});
    }
    return ok();
  }
  // Succeeded, but no clip: filtered by the provider's safety system, removed, or a reply
  // that does not follow the protocol.
  const auto filtered = number_of(result.filtered_count.find(*source));
  if (filtered && *filtered > 0) {
    status.state = TaskState::Failed;
    status.refusal = true;
    status.error_code = "filtered";
    status.error_message = scrubbed(one_line(text_of(result.filtered_reasons.find(*source)), 1000));
    if (status.error_message.empty()) status.error_message = "the provider's safety filter";
    return ok();
  }
  if (result.missing_means_expired) {
    status.state = TaskState::Expired;
    status.error_code = "result_removed";
    status.error_message = "the task succeeded, but the provider no longer holds its result";
    return ok();
  }
  return fail("bad_reply", name_ + ": a succeeded reply without a result: " +
                               scrubbed(one_line(source->dump(), kQuotedBytes)));
}

// ---- fetch ----

Result<Download> ProtocolProvider::fetch_result(const SubmittedTask& task, const TaskStatus& status,
                                                const std::filesystem::path& dir,
                                                std::int64_t max_bytes) {
  (void)task;
  if (credentials_.missing) return std::unexpected(*credentials_.missing);
  if (!status.inline_base64.empty()) {
    // 3 bytes per 4 characters: refuse before decoding what cannot fit.
    if (static_cast<std::int64_t>(status.inline_base64.size() / 4 * 3) > max_bytes + 3) {
      return fail("too_large", name_ + ": the inline result is larger than " +
                                   std::to_string(max_bytes) + " bytes");
    }
    auto bytes = base64_decode(status.inline_base64);
    if (!bytes) return fail("bad_reply", name_ + ": the inline result: " + bytes.error().message);
    if (static_cast<std::int64_t>(bytes->size()) > max_bytes) {
      return fail("too_large", name_ + ": the inline result has " + std::to_string(bytes->size()) +
                                   " bytes, more than " + std::to_string(max_bytes));
    }
    auto file = TempFile::create(dir, ".download");
    if (!file) return std::unexpected(file.error());
    if (auto written = write_inline_clip(file->fd(), *bytes, file->path()); !written) {
      return std::unexpected(written.error());
    }
    if (auto synced = file->sync_and_close(); !synced) return std::unexpected(synced.error());
    Download download;
    download.status = 200;
    download.bytes = static_cast<std::int64_t>(bytes->size());
    download.sha256 = sha256_hex(*bytes);
    download.file = std::move(*file);
    return download;
  }
  if (status.result_url.empty()) {
    return fail("bad_reply", name_ + ": the task has no result to fetch");
  }
  Request request;
  bool with_credentials = protocol_.result.download_auth;
  if (status.result_url.starts_with("gs://")) {
    const std::string_view rest = std::string_view(status.result_url).substr(5);
    const auto slash = rest.find('/');
    if (protocol_.result.gcs_download.empty() || endpoints_.storage_base_url.empty()) {
      return fail("unsupported", name_ + ": the result is in Cloud Storage (" + status.result_url +
                                     ") and no storage_base_url is set");
    }
    if (slash == std::string_view::npos || slash == 0 || slash + 1 == rest.size()) {
      return fail("bad_reply", name_ + ": \"" + status.result_url + "\" is not gs://bucket/object");
    }
    TemplateVars vars{{"bucket", std::string(rest.substr(0, slash))},
                      {"object", std::string(rest.substr(slash + 1))}};
    // The object name is one path segment of the storage route: its '/' are encoded too.
    auto target = render_target(protocol_.result.gcs_download, vars, {"object"});
    if (!target) return fail("bad_config", name_ + ": " + target.error().message);
    request.url = endpoints_.storage_base_url + *target;
    with_credentials = true;
  } else {
    if (with_credentials) {
      auto url = url_for(status.result_url, true);
      if (!url) return std::unexpected(url.error());
    }
    request.url = status.result_url;
  }
  if (with_credentials) {
    auto signed_request = authorised(std::move(request));
    if (!signed_request) return std::unexpected(signed_request.error());
    request = std::move(*signed_request);
  }
  auto download = client_.download(request, dir, max_bytes);
  if (!download) {
    return fail(download.error().code, name_ + ": " + scrubbed(download.error().message));
  }
  if (download->ok()) return download;
  const int code = download->status;
  const std::string what = scrubbed(describe(request) + ": HTTP " + std::to_string(code) + ": " +
                                    one_line(download->error_body, kQuotedBytes));
  // Storage answers an expired signed link with 403 (S3, OSS, TOS) or 404 (CDNs, Google).
  if (code == 403 || code == 404 || code == 410) {
    return fail("expired_result", name_ + ": the result URL no longer works: " + what);
  }
  std::optional<std::string> retry_after;
  if (auto value = download->headers.get("retry-after")) retry_after = std::string(*value);
  return std::unexpected(http_error(code, retry_after, name_ + ": " + what));
}

// ---- find by reference ----

std::optional<Result<std::optional<SubmittedTask>>> ProtocolProvider::find_by_reference(
    const GenerationRequest& request) {
  if (!protocol_.find_by_reference) return std::nullopt;
  const FindByReferenceSpec& find = *protocol_.find_by_reference;
  using Found = Result<std::optional<SubmittedTask>>;
  const auto task = protocol_.submit.tasks.find(request.task);
  if (task == protocol_.submit.tasks.end() || request.client_reference.empty()) {
    return Found(std::optional<SubmittedTask>());
  }
  TemplateVars vars{{"reference", request.client_reference}, {"model", request.provider_model}};
  for (const auto& [key, value] : task->second.handle) vars["handle." + key] = value;
  auto target = render_target(find.request.target, vars);
  if (!target) return Found(fail("bad_config", name_ + ": " + target.error().message));
  auto url = url_for(*target, true);
  if (!url) return Found(std::unexpected(url.error()));
  const Call lookup{find.request.method, *url, json(), std::nullopt};
  auto response = send(lookup);
  if (!response) return Found(std::unexpected(response.error()));
  if (find.not_found_statuses.contains(response->status)) {
    return Found(std::optional<SubmittedTask>());
  }
  auto reply = parse_reply(lookup, *response);
  if (!reply) return Found(std::unexpected(reply.error()));
  if (auto error = envelope_error(Request{lookup.method, lookup.url}, *reply)) {
    return Found(std::unexpected(*error));
  }
  const std::string task_id = token_of(find.task_id.find(*reply));
  if (!acceptable_task_id(task_id)) {
    return Found(fail("bad_reply", name_ + ": the lookup by reference names no usable task id: " +
                                       scrubbed(one_line(reply->dump(), kQuotedBytes))));
  }
  SubmittedTask found{task_id, json::object()};
  for (const auto& [key, value] : task->second.handle) found.handle[key] = value;
  found.handle["model"] = request.provider_model;
  auto mapped = map_settings(protocol_.settings_for(request.provider_model), request,
                             *body_placeholders_in(task->second.body), protocol_.title);
  if (mapped) found.handle["priced"] = priced_clip_json(mapped->clip);
  return Found(std::optional<SubmittedTask>(std::move(found)));
}

// ---- configuration ----

namespace {

// `overrides` merged into `base`: tables field by field, anything else replaced.
void merge_tables(toml::table& base, const toml::table& overrides) {
  for (const auto& [key, value] : overrides) {
    toml::node* existing = base.get(key);
    if (existing != nullptr && existing->is_table() && value.is_table()) {
      merge_tables(*existing->as_table(), *value.as_table());
    } else {
      base.insert_or_assign(key, value);
    }
  }
}

Error bad_entry(std::string_view name, std::string_view field, std::string what) {
  return Error{"bad_config",
               "providers." + std::string(name) + "." + std::string(field) + ": " + what};
}

}  // namespace

bool is_protocol_provider(std::string_view protocol) {
  return protocol == "custom" || find_protocol_preset(protocol).has_value();
}

Result<std::unique_ptr<ProtocolProvider>> make_protocol_provider(
    std::string_view name, const toml::table& entry, const ProtocolProviderOptions& options) {
  static const std::set<std::string> kOwnFields = {
      "protocol",         "custom",  "region",         "base_url",
      "storage_base_url", "key_env", "access_key_env", "secret_key_env",
      "allow_addresses",  "proxy",   "prices",         "overrides"};
  for (const auto& [key, value] : entry) {
    const std::string field(key.str());
    if (!kOwnFields.contains(field) && !options.caller_fields.contains(field)) {
      return std::unexpected(bad_entry(name, field, "unknown field"));
    }
  }
  const auto protocol_name = entry["protocol"].value<std::string>();
  if (!protocol_name) return std::unexpected(bad_entry(name, "protocol", "missing"));

  // The protocol's table: the preset's, or the entry's own; then the overrides over it.
  toml::table table;
  if (*protocol_name == "custom") {
    const toml::table* custom = entry["custom"].as_table();
    if (custom == nullptr) {
      return std::unexpected(
          bad_entry(name, "custom",
                    "missing: protocol = \"custom\" needs " + std::string("the protocol's table")));
    }
    table = *custom;
  } else {
    const auto preset = find_protocol_preset(*protocol_name);
    if (!preset) {
      std::string names;
      for (const ProtocolPreset& p : protocol_presets()) names += " " + std::string(p.name);
      return std::unexpected(bad_entry(
          name, "protocol",
          "\"" + *protocol_name + "\" is not a preset (presets:" + names + ") nor \"custom\""));
    }
    if (entry.contains("custom")) {
      return std::unexpected(bad_entry(name, "custom", "only with protocol = \"custom\""));
    }
    try {
      table = toml::parse(preset->text, preset->name);
    } catch (const toml::parse_error& e) {
      return fail("bad_config",
                  "preset " + std::string(preset->name) + ": " + std::string(e.description()));
    }
  }
  if (const toml::node* overrides = entry.get("overrides")) {
    if (!overrides->is_table()) {
      return std::unexpected(bad_entry(name, "overrides", "expected a table"));
    }
    merge_tables(table, *overrides->as_table());
  }
  const std::string protocol_label =
      *protocol_name == "custom" ? std::string(name) : *protocol_name;
  auto protocol = parse_task_protocol(table, protocol_label);
  if (!protocol) return std::unexpected(protocol.error());

  // Where the API is.
  ProtocolEndpoints endpoints;
  const auto region = entry["region"].value<std::string>();
  const auto base_url = entry["base_url"].value<std::string>();
  if (entry.contains("region") && !region) {
    return std::unexpected(bad_entry(name, "region", "expected a string"));
  }
  if (entry.contains("base_url") && !base_url) {
    return std::unexpected(bad_entry(name, "base_url", "expected a string"));
  }
  if (region && base_url) {
    return std::unexpected(bad_entry(name, "region", "give region or base_url, not both"));
  }
  if (base_url) {
    endpoints.base_url = *base_url;
  } else {
    const std::string wanted = region.value_or(protocol->default_region);
    const auto it = protocol->base_urls.find(wanted);
    if (it == protocol->base_urls.end()) {
      std::string regions;
      for (const auto& [r, url] : protocol->base_urls) {
        if (!r.empty()) regions += " " + r;
      }
      return std::unexpected(
          region ? bad_entry(name, "region", "\"" + *region + "\" is not one of" + regions)
                 : bad_entry(name, "base_url", "missing: the protocol names no base URL"));
    }
    endpoints.base_url = it->second;
  }
  if (origin_of(endpoints.base_url).empty()) {
    return std::unexpected(
        bad_entry(name, "base_url", "\"" + endpoints.base_url + "\" is not an http(s) URL"));
  }
  if (const toml::node* storage = entry.get("storage_base_url")) {
    const auto value = storage->value<std::string>();
    if (!value || origin_of(*value).empty()) {
      return std::unexpected(bad_entry(name, "storage_base_url", "expected an http(s) URL"));
    }
    endpoints.storage_base_url = *value;
  } else if (!protocol->result.gcs_download.empty()) {
    endpoints.storage_base_url = "https://storage.googleapis.com";
  }

  // Credentials, from the environment only.
  ProtocolCredentials credentials;
  auto env_name = [&](std::string_view field, const std::string& fallback) -> Result<std::string> {
    const toml::node* node = entry.get(field);
    if (node == nullptr) return fallback;
    const auto value = node->value<std::string>();
    if (!value || value->empty()) {
      return std::unexpected(
          bad_entry(name, field, "expected the name of an environment variable"));
    }
    return *value;
  };
  auto read_secret = [&](std::string_view field, const std::string& fallback,
                         Secret& out) -> Status {
    auto variable = env_name(field, fallback);
    if (!variable) return std::unexpected(variable.error());
    if (variable->empty()) {
      return std::unexpected(bad_entry(name, field, "missing: the variable that holds the key"));
    }
    auto secret = Secret::from_environment(*variable);
    if (secret) {
      out = std::move(*secret);
      return ok();
    }
    Error error{secret.error().code,
                "providers." + std::string(name) + ": " + secret.error().message};
    if (options.need_keys || error.code != "missing_secret") return std::unexpected(error);
    if (!credentials.missing) credentials.missing = error;
    return ok();
  };
  switch (protocol->auth.scheme) {
    case AuthScheme::Bearer:
    case AuthScheme::Header:
      if (auto s = read_secret("key_env", protocol->auth.key_env, credentials.key); !s) {
        return std::unexpected(s.error());
      }
      break;
    case AuthScheme::KlingJwt:
      if (auto s =
              read_secret("access_key_env", protocol->auth.access_key_env, credentials.access_key);
          !s) {
        return std::unexpected(s.error());
      }
      if (auto s =
              read_secret("secret_key_env", protocol->auth.secret_key_env, credentials.secret_key);
          !s) {
        return std::unexpected(s.error());
      }
      break;
    case AuthScheme::None:
      break;
  }

  // The client: the entry's address exemptions and proxy.
  ClientOptions client_options = options.client;
  if (const toml::node* allow = entry.get("allow_addresses")) {
    const toml::array* array = allow->as_array();
    if (array == nullptr) {
      return std::unexpected(bad_entry(name, "allow_addresses", "expected an array of strings"));
    }
    for (const auto& item : *array) {
      const auto value = item.value<std::string>();
      if (!value) {
        return std::unexpected(bad_entry(name, "allow_addresses", "expected an array of strings"));
      }
      client_options.allow.push_back(*value);
    }
  }
  if (const toml::node* proxy = entry.get("proxy")) {
    const auto value = proxy->value<std::string>();
    if (!value) return std::unexpected(bad_entry(name, "proxy", "expected a URL"));
    client_options.proxy = *value;
  }
  auto client = Client::create(std::move(client_options));
  if (!client) {
    return fail("bad_config", "providers." + std::string(name) + ": " + client.error().message);
  }

  PriceTable prices;
  if (const toml::node* table_node = entry.get("prices")) {
    if (!table_node->is_table())
      return std::unexpected(bad_entry(name, "prices", "expected a table"));
    auto read = PriceTable::from_toml(*table_node->as_table(),
                                      "providers." + std::string(name) + ".prices");
    if (!read) return std::unexpected(read.error());
    prices = std::move(*read);
  }
  return std::make_unique<ProtocolProvider>(std::string(name), std::move(*protocol),
                                            std::move(endpoints), std::move(credentials),
                                            std::move(prices), std::move(*client));
}

}  // namespace paddock::generate
