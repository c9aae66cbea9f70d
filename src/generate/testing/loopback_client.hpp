#pragma once
// Test support: a Client for talking to a TestHttpServer on 127.0.0.1, which the default
// address policy refuses (loopback). Aborts the test program if the options are refused.
//
//   const Client client = loopback_client();
//   const Client strict = loopback_client({.allow = {"127.0.0.1/32"}, .max_redirects = 0});

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "generate/http_client.hpp"

namespace paddock::generate::testing {

inline Client loopback_client(ClientOptions options = {.allow = {"127.0.0.1"}}) {
  auto client = Client::create(std::move(options));
  if (!client) {
    std::fprintf(stderr, "loopback_client: %s\n", client.error().message.c_str());
    std::abort();
  }
  return std::move(*client);
}

}  // namespace paddock::generate::testing
