// Resuming with the command line that started a run (efm/resume.h): what may change, what is
// a conflict, how rollbacks are undone, and when two data SPECs name the same data.
#include "efm/config/resume.h"
#include "efm/config/run_config.h"
#include "efm/data/dataset.h"
#include "scratch_directory.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

namespace {

efm::RunConfig resolved(efm::RunConfig config) {
  efm::resolveAndValidate(config);
  return config;
}

std::vector<std::string> keys(const std::vector<efm::SettingChange>& changes) {
  std::vector<std::string> out;
  for (const auto& change : changes) out.push_back(change.key);
  return out;
}

}  // namespace

TEST_CASE("resume: equal settings pass, learning settings conflict, length may change",
          "[resume]") {
  const efm::RunConfig run = resolved({});
  CHECK(efm::conflictingSettings(run, run).empty());

  efm::RunConfig longer = run;
  longer.train.steps = run.train.steps * 4;
  longer.train.checkpointSeconds = 5;
  longer.train.rollbacks = 3;
  longer.train.logEvery = 7;
  CHECK(efm::conflictingSettings(run, longer).empty());

  efm::RunConfig other = run;
  other.train.batch = 17;
  other.path.magnitude = 0.7;
  other.network.dilations = {1, 2};
  other.data = "toy:pinwheel?c=5";
  const auto changes = efm::conflictingSettings(run, other);
  CHECK(keys(changes) ==
        std::vector<std::string>{"data", "path.magnitude", "network.dilations", "train.batch"});
  CHECK(changes.back().recorded == "512");  // the MLP's default batch
  CHECK(changes.back().requested == "17");
  CHECK(changes.front().recorded == "\"toy:coupled-binary\"");
  CHECK(changes[2].requested == "[1,2]");
}

TEST_CASE("resume: rollbacks are undone to compare, and spend the requested budget", "[resume]") {
  efm::RunConfig started = resolved({});
  started.train.learningRate = 1e-3;
  started.train.rollbacks = 4;
  // Two automatic rollbacks later, as Trainer::rollBack records them.
  efm::RunConfig recorded = started;
  recorded.train.learningRate = 1e-3 * 0.5 * 0.5;
  recorded.train.rollbacks = 2;
  recorded.train.rollbacksDone = 2;
  const efm::RunConfig asStarted = efm::configAsStarted(recorded);
  CHECK(asStarted.train.learningRate == 1e-3);
  CHECK(asStarted.train.rollbacks == 4);
  CHECK(efm::conflictingSettings(asStarted, started).empty());
  // Another factor: the rate is recovered within rounding, which the comparison allows.
  efm::RunConfig thirds = started;
  thirds.train.rollbackFactor = 0.3;
  thirds.train.learningRate = 1e-3 * 0.3 * 0.3 * 0.3;
  thirds.train.rollbacksDone = 3;
  CHECK(efm::conflictingSettings(efm::configAsStarted(thirds),
                                 [&] {
                                   efm::RunConfig c = started;
                                   c.train.rollbackFactor = 0.3;
                                   return c;
                                 }())
            .empty());

  // The resumed run keeps the lowered rate; the same --rollbacks leaves 4 - 2.
  efm::RunConfig requested = asStarted;
  requested.train.steps = 9000;
  const efm::RunConfig resumed = efm::resumedConfig(recorded, requested);
  CHECK(resumed.train.learningRate == recorded.train.learningRate);
  CHECK(resumed.train.rollbacks == 2);
  CHECK(resumed.train.rollbacksDone == 2);
  CHECK(resumed.train.steps == 9000);
  requested.train.rollbacks = 1;  // fewer than already taken: none left
  CHECK(efm::resumedConfig(recorded, requested).train.rollbacks == 0);
  // rollback_factor is how the starting rate is recovered: it may not change.
  requested.train.rollbackFactor = 0.25;
  CHECK(keys(efm::conflictingSettings(asStarted, requested)) ==
        std::vector<std::string>{"train.rollback_factor"});
}

TEST_CASE("data SPECs name the same data through other paths and parameter orders", "[resume]") {
  const auto dir = efm_test::freshDirectory("same-data");
  std::ofstream(dir / "table.csv") << "0,1\n1,0\n";
  const std::string absolute = (dir / "table.csv").string();
  const std::string dotted = (dir / "." / "table.csv").string();
  CHECK(efm::sameDataSpec("csv:" + absolute, "csv:" + dotted));
  CHECK(efm::sameDataSpec("csv:" + absolute + "?c=3", "csv:" + dotted + "?c=3"));
  CHECK_FALSE(efm::sameDataSpec("csv:" + absolute + "?c=3", "csv:" + dotted + "?c=4"));
  CHECK_FALSE(efm::sameDataSpec("csv:" + absolute, "pmf:" + absolute));
  CHECK(efm::sameDataSpec("toy:dirichlet?n=3&c=4", "toy:dirichlet?c=4&n=3"));
  CHECK_FALSE(efm::sameDataSpec("toy:dirichlet?n=3", "toy:dial?n=3"));
  CHECK_FALSE(efm::sameDataSpec("csv:" + absolute, "csv:" + (dir / "missing.csv").string()));
  CHECK_FALSE(efm::sameDataSpec("nonsense", "other nonsense"));
  CHECK(efm::sameDataSpec("nonsense", "nonsense"));
  std::filesystem::remove_all(dir);
}
