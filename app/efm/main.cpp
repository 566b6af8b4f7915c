// efm: train, sample and evaluate e-geodesic flow matching models from the command line.
// Exit codes: 0 success, 1 failure, 2 bad usage or bad input, 130 interrupted (Ctrl-C,
// after the checkpoint was saved).
#include "commands.h"

#include "efm/base/errors.h"
#include "efm/base/runtime_tuning.h"

#include <c10/util/Exception.h>
#include <CLI/CLI.hpp>

#include <iostream>
#include <map>

int main(int argc, char** argv) {
  CLI::App app{"efm: e-geodesic flow matching on assignment manifolds (headless command line)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "efm 0.1.0");
  std::map<CLI::App*, efm::cli::Runner> runners;
  auto add = [&](const char* name, const char* help, auto adder) {
    CLI::App* command = app.add_subcommand(name, help);
    runners[command] = adder(*command);
  };
  add("train", "Train a model on a dataset into a run directory", efm::cli::addTrainCommand);
  add("sample", "Sample labelings from a trained run", efm::cli::addSampleCommand);
  add("eval", "Compare a trained run with its data distribution (JSON on stdout)",
      efm::cli::addEvalCommand);
  add("likelihood", "Log-likelihoods of labelings under a trained run (importance sampling)",
      efm::cli::addLikelihoodCommand);
  add("data", "Inspect or generate datasets", efm::cli::addDataCommand);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }
  // After parsing, so that a usage error is answered without the re-exec's second start-up
  // of LibTorch (about a second); the re-executed process parses the same arguments again.
  // `efm data` does no parallel tensor work and skips it.
  if (!app.got_subcommand("data")) efm::tuneRuntime(argv);

  try {
    for (CLI::App* command : app.get_subcommands()) return runners.at(command)();
  } catch (const efm::InputError& e) {
    std::cerr << "efm: error: " << e.what() << "\n";
    return 2;
  } catch (const c10::Error& e) {
    std::cerr << "efm: failed: " << e.what_without_backtrace() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "efm: failed: " << e.what() << "\n";
    return 1;
  }
  return 1;
}
