// A filling: one form being filled, whatever keeps it. A bare Session is changed in memory (the
// SessionFilling adapter below); a Draft of the device store (chosa/store.h) saves every change
// before the call returns. The terminal filler, the crash test's driver and the simulated
// respondents drive either through this one interface: they read the state through session()
// and change it only through the Filling, so a stored and an unstored filling behave the same.
//
// The operations are Session's (session.h says what each does); an implementation may refuse
// one for its own reasons too (a Draft that cannot save: kIOError, nothing changed).
//
// Thread safety: as Session, a Filling is used by one thread at a time.
// Ownership: session() is owned by the Filling (or, for a SessionFilling over a borrowed
// Session, by its owner) and the reference is valid for as long as the Filling lives.
#ifndef CHOSA_FILLING_H_
#define CHOSA_FILLING_H_

#include <cstdint>
#include <memory>
#include <string_view>

#include "chosa/session.h"
#include "chosa/status.h"

namespace chosa {

class Filling {
 public:
  virtual ~Filling() = default;

  // The state of the filling, to read (the view model, errors, the language, the page).
  virtual const Session& session() const = 0;

  virtual Status SetAnswer(std::string_view path, std::string_view text) = 0;
  virtual Result<int32_t> AddRepeatInstance(std::string_view repeat) = 0;
  virtual Status RemoveRepeatInstance(std::string_view repeat, int32_t position) = 0;
  virtual Status SetLanguage(std::string_view language) = 0;
  virtual Status Next() = 0;
  virtual Status Back() = 0;
  virtual Status GoToPage(int32_t page) = 0;
  // Session::Finalize with what this filling knows of the submission (a Draft: the submission it
  // replaces and the audit trail), after which the filling is closed.
  virtual Result<Submission> Finalize() = 0;

 protected:
  Filling() = default;
  Filling(const Filling&) = default;
  Filling& operator=(const Filling&) = default;
};

// A Session changed directly, kept in memory only (`chosa fill --no-store`, a dry run).
class SessionFilling final : public Filling {
 public:
  // Owns `session`.
  explicit SessionFilling(std::unique_ptr<Session> session);
  // Borrows `session`, which must outlive this SessionFilling (REQUIRES: not null).
  explicit SessionFilling(Session* session);
  ~SessionFilling() override;
  SessionFilling(const SessionFilling&) = delete;
  SessionFilling& operator=(const SessionFilling&) = delete;

  const Session& session() const override { return *session_; }
  Status SetAnswer(std::string_view path, std::string_view text) override;
  Result<int32_t> AddRepeatInstance(std::string_view repeat) override;
  Status RemoveRepeatInstance(std::string_view repeat, int32_t position) override;
  Status SetLanguage(std::string_view language) override;
  Status Next() override;
  Status Back() override;
  Status GoToPage(int32_t page) override;
  Result<Submission> Finalize() override;

 private:
  std::unique_ptr<Session> owned_;
  Session* session_;
};

}  // namespace chosa

#endif  // CHOSA_FILLING_H_
