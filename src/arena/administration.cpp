#include "arena/administration.hpp"

namespace paddock::arena {

Administration::Administration(store::Store& store, Followers followers)
    : store_(store), followers_(std::move(followers)) {}

Result<std::vector<store::Model>> Administration::models() {
  return store_.list_models();
}

Result<ModelChanged> Administration::write_model(ModelWrite how, std::string_view id,
                                                 const ModelChange& change) {
  auto written = arena::write_model(store_, how, id, change);
  if (written && written->upsert != store::Upsert::Unchanged && followers_.catalog_changed) {
    if (auto s = followers_.catalog_changed(); !s) return std::unexpected(s.error());
  }
  return written;
}

Result<std::vector<store::Vote>> Administration::votes(const VoteListing& listing) {
  if (listing.limit < 1 || listing.limit > kMaxVoteListLimit) {
    return fail("invalid", "limit must be a whole number from 1 to " +
                               std::to_string(kMaxVoteListLimit) + " (page with after)");
  }
  if (listing.after < 0) return fail("invalid", "after must be a vote id (0 or more)");
  store::VoteQuery q;
  q.session = listing.session;
  q.address = listing.address;
  q.track_id = listing.track;
  q.after_id = listing.after;
  q.include_voided = true;
  q.controls = store::ControlVotes::Included;  // marked with their control
  q.limit = listing.limit;
  return store_.list_votes(q);
}

Result<int64_t> Administration::void_votes(const VoidRequest& request) {
  if (request.session.empty() && request.address.empty()) {
    return fail("invalid", "say whose votes to void: a session and/or an address");
  }
  if (request.reason.empty()) {
    return fail("invalid", "say why the votes are voided: the reason is kept with them");
  }
  store::VoteQuery q;
  q.session = request.session;
  q.address = request.address;
  q.track_id = request.track;
  q.controls = store::ControlVotes::Included;  // a voided voter's attention checks too
  auto voided = store_.void_votes(q, request.reason);
  if (voided && *voided > 0 && followers_.votes_voided) followers_.votes_voided();
  return voided;
}

Result<TrackVoterReview> Administration::review_voters(const std::string& track,
                                                       const VoterReviewOptions& options) {
  return review_track_voters(store_, track, options);
}

Result<store::Counts> Administration::counts() {
  return store_.counts();
}

Status Administration::ping() {
  return store_.ping();
}

Result<std::unique_ptr<VoteExport>> Administration::open_export(ExportOptions options) {
  return VoteExport::open(store_, std::move(options));
}

std::string Administration::database() const {
  return store_.describe();
}

}  // namespace paddock::arena
