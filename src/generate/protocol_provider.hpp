#pragma once
// ProtocolProvider: a Provider that runs a declarative task protocol (task_protocol.hpp) —
// one of the presets compiled into paddock (Seedance, Kling, Veo on the Gemini API and on
// Vertex AI, Runway, MiniMax Hailuo, xAI Grok Imagine, fal, Replicate; presets.hpp) or an
// operator's own. docs/generate.md describes the configuration and every preset.
//
//   [providers.kling]
//   protocol = "kling"                 # a preset, or "custom" with a [providers.kling.custom]
//   region = "singapore"               # one of the preset's base_urls, or:
//   base_url = "http://127.0.0.1:8790/kling"
//   access_key_env = "KLING_ACCESS_KEY"  # override the preset's variables; keys are read
//   secret_key_env = "KLING_SECRET_KEY"  # from the environment only
//   allow_addresses = ["127.0.0.1"]    # address-policy exemptions (docs/generate.md)
//   proxy = "http://proxy.internal:3128"
//   storage_base_url = "https://storage.googleapis.com"   # Vertex AI's gs:// results
//   [providers.kling.prices."kling-v2-6"] ...             # price.hpp
//   [providers.kling.overrides] ...    # merged over the preset's table, field by field
//
// plan() maps the track's settings (duration, resolution, aspect, audio, seed, watermark)
// onto the vendor's parameters and says in words what it cannot honour; submit() sends
// exactly the planned parameters (the source image, shown as a placeholder in the plan, is
// put in at the last moment). Errors follow provider.hpp; "bad_reply" also for a reply that
// names a URL of another host where the credentials would go.

#include <toml++/toml.h>

#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "generate/http_client.hpp"
#include "generate/price.hpp"
#include "generate/provider.hpp"
#include "generate/secret.hpp"
#include "generate/task_protocol.hpp"

namespace paddock::generate {

struct ProtocolCredentials {
  Secret key;         // Bearer and Header schemes
  Secret access_key;  // KlingJwt
  Secret secret_key;  // KlingJwt
  // Set when a key was not in the environment and the provider was made for a dry run:
  // plan() works, every call to the provider fails with this error.
  std::optional<Error> missing;
};

struct ProtocolEndpoints {
  std::string base_url;          // without a trailing '/'
  std::string storage_base_url;  // for gs:// results; "" = none
};

class ProtocolProvider final : public Provider {
 public:
  ProtocolProvider(std::string name, TaskProtocol protocol, ProtocolEndpoints endpoints,
                   ProtocolCredentials credentials, PriceTable prices, Client client);

  std::string_view name() const override { return name_; }
  Result<PlannedRequest> plan(const GenerationRequest& request) const override;
  Result<SubmittedTask> submit(const GenerationRequest& request,
                               const PlannedRequest& planned) override;
  Result<TaskStatus> poll(const SubmittedTask& task) override;
  Result<Download> fetch_result(const SubmittedTask& task, const TaskStatus& status,
                                const std::filesystem::path& dir, std::int64_t max_bytes) override;
  bool refetch_allowed() const override { return protocol_.refetch; }
  std::optional<Result<std::optional<SubmittedTask>>> find_by_reference(
      const GenerationRequest& request) override;

  const TaskProtocol& protocol() const { return protocol_; }

 private:
  struct Call;
  // The reply of any status (transport errors only are errors).
  Result<Response> send(const Call& call) const;
  // A 2xx reply's JSON; a non-2xx reply as reply_error().
  Result<nlohmann::json> parse_reply(const Call& call, const Response& response) const;
  // send() and parse_reply(), and an envelope that says the call failed as its error.
  Result<nlohmann::json> call_json(const Call& call) const;
  Result<Request> authorised(Request request) const;
  Error reply_error(const Request& request, int status, const HeaderList& headers,
                    std::string_view body) const;
  std::optional<Error> envelope_error(const Request& request, const nlohmann::json& reply) const;
  Result<std::string> url_for(std::string_view target, bool carries_credentials) const;
  std::string scrubbed(std::string_view text) const;
  Result<TaskStatus> read_status(const SubmittedTask& task, const Request& request,
                                 const nlohmann::json& reply) const;
  Status read_result(const SubmittedTask& task, const nlohmann::json& poll_reply,
                     TaskStatus& status) const;

  std::string name_;
  TaskProtocol protocol_;
  ProtocolEndpoints endpoints_;
  ProtocolCredentials credentials_;
  PriceTable prices_;
  Client client_;
};

struct ProtocolProviderOptions {
  // False for a dry run: a key missing from the environment is not an error until the
  // provider is called.
  bool need_keys = true;
  // Fields of [providers.NAME] that the caller reads itself (the job runner's), accepted
  // here without complaint; any other unknown field is an error.
  std::set<std::string> caller_fields = {"concurrency", "requests_per_second", "poll_interval_s",
                                         "max_attempts", "timeout_s"};
  ClientOptions client{};  // the allow list and proxy of the entry are added to it
};

// True if `protocol` (the entry's `protocol` value) is run by ProtocolProvider: a preset's
// name or "custom".
bool is_protocol_provider(std::string_view protocol);

// Makes the provider of the configuration entry [providers.NAME] (above). Errors:
// "bad_config" naming the field (of the entry, or of the protocol table);
// "missing_secret" naming the variable when need_keys.
Result<std::unique_ptr<ProtocolProvider>> make_protocol_provider(
    std::string_view name, const toml::table& entry, const ProtocolProviderOptions& options = {});

}  // namespace paddock::generate
