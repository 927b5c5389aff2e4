#include "triggers/target.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "http/client.h"

extern char** environ;

namespace basalt::triggers {
namespace {

class HttpTarget : public Target {
 public:
  explicit HttpTarget(http::Url url) : url_(std::move(url)) {}

  Invocation Invoke(const std::string& event, double timeout_seconds, const std::atomic<bool>* cancel) override {
    Invocation out;
    auto res = http::Post(url_, event, {{"Content-Type", "application/json"}}, timeout_seconds, cancel);
    if (!res.ok()) {
      out.status = -1;
      out.error = res.status().message();
      return out;
    }
    out.status = res->status;
    out.body = std::move(res->body);
    std::string function_error = res->Header("X-Amz-Function-Error");
    out.ok = out.status >= 200 && out.status < 300 && function_error.empty();
    if (!out.ok) {
      out.error = !function_error.empty() ? "function error " + function_error + ": " + out.body.substr(0, 512)
                                          : "HTTP " + std::to_string(out.status) + ": " + out.body.substr(0, 512);
    }
    return out;
  }

 private:
  http::Url url_;
};

class CommandTarget : public Target {
 public:
  explicit CommandTarget(std::string command) : command_(std::move(command)) {}

  Invocation Invoke(const std::string& event, double timeout_seconds, const std::atomic<bool>* cancel) override {
    Invocation out;
    out.status = -1;
    int in[2], outp[2];
    if (pipe2(in, O_CLOEXEC) != 0) return Failed(&out, "pipe");
    if (pipe2(outp, O_CLOEXEC) != 0) {
      close(in[0]);
      close(in[1]);
      return Failed(&out, "pipe");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, outp[1], 1);
    // The server blocks SIGINT/SIGTERM (sigwait) and ignores SIGPIPE; the command gets defaults.
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    const char* argv[] = {"/bin/sh", "-c", command_.c_str(), nullptr};
    pid_t pid;
    int rc = posix_spawn(&pid, "/bin/sh", &actions, &attr, const_cast<char* const*>(argv), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    close(in[0]);
    close(outp[1]);
    if (rc != 0) {
      close(in[1]);
      close(outp[0]);
      errno = rc;
      return Failed(&out, "spawn");
    }
    fcntl(in[1], F_SETFL, fcntl(in[1], F_GETFL) | O_NONBLOCK);  // poll decides when to write
    bool timed_out = Exchange(in[1], outp[0], event, timeout_seconds, cancel, &out.body);
    if (timed_out) kill(pid, SIGKILL);
    int wstatus = 0;
    while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
    }
    if (timed_out) {
      out.error = "timed out after " + std::to_string(timeout_seconds) + " s";
      return out;
    }
    if (WIFEXITED(wstatus)) {
      out.status = WEXITSTATUS(wstatus);
      out.ok = out.status == 0;
      if (!out.ok) out.error = "exit status " + std::to_string(out.status);
    } else {
      out.error = "killed by signal " + std::to_string(WTERMSIG(wstatus));
    }
    return out;
  }

 private:
  static Invocation& Failed(Invocation* out, const char* what) {
    out->error = std::string(what) + ": " + std::strerror(errno);
    return *out;
  }

  // Writes the event and reads the answer at once (either may fill a pipe);
  // closes both ends. True when the deadline passed (or `cancel` turned) first.
  static bool Exchange(int to_child, int from_child, const std::string& event, double timeout_seconds,
                       const std::atomic<bool>* cancel, std::string* answer) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<int64_t>(timeout_seconds * 1000));
    size_t written = 0;
    if (event.empty()) {
      close(to_child);
      to_child = -1;
    }
    bool timed_out = false;
    while (from_child >= 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || (cancel && cancel->load())) {
        timed_out = true;
        break;
      }
      pollfd fds[2];
      int n = 0;
      fds[n++] = {from_child, POLLIN, 0};
      if (to_child >= 0) fds[n++] = {to_child, POLLOUT, 0};
      if (poll(fds, n, static_cast<int>(std::min<int64_t>(left.count(), 100))) < 0) {
        if (errno == EINTR) continue;
        break;
      }
      if (n == 2 && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
        ssize_t w = write(to_child, event.data() + written, event.size() - written);
        if (w > 0) written += static_cast<size_t>(w);
        if (w < 0 && errno != EAGAIN && errno != EINTR) written = event.size();  // the command stopped reading
        if (written == event.size()) {
          close(to_child);
          to_child = -1;
        }
      }
      if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
        char buf[65536];
        ssize_t r = read(from_child, buf, sizeof buf);
        if (r > 0) {
          answer->append(buf, static_cast<size_t>(r));
        } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
          close(from_child);
          from_child = -1;
        }
      }
    }
    if (to_child >= 0) close(to_child);
    if (from_child >= 0) close(from_child);
    return timed_out;
  }

  std::string command_;
};

}  // namespace

Result<std::unique_ptr<Target>> MakeTarget(const std::string& function) {
  if (function.starts_with("cmd:")) return std::unique_ptr<Target>(new CommandTarget(function.substr(4)));
  BASALT_ASSIGN_OR_RETURN(http::Url url, http::ParseUrl(function));
  return std::unique_ptr<Target>(new HttpTarget(std::move(url)));
}

}  // namespace basalt::triggers
