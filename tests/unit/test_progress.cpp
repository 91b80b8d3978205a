#include "logsift/progress.hpp"

#include <gtest/gtest.h>

namespace logsift {
namespace {

TEST(progress, shows_percentage_throughput_and_eta_when_the_total_is_known) {
  const std::string line = ProgressBar::render(512u << 20, 1024u << 20, 2.0, 100);
  EXPECT_NE(line.find(" 50%"), std::string::npos) << line;
  EXPECT_NE(line.find("512.0 MiB / 1.0 GiB"), std::string::npos) << line;
  EXPECT_NE(line.find("256.0 MiB/s"), std::string::npos) << line;
  EXPECT_NE(line.find("ETA 2s"), std::string::npos) << line;
  EXPECT_NE(line.find("[####################....................]"), std::string::npos) << line;
}

TEST(progress, without_a_total_shows_bytes_and_throughput) {
  const std::string line = ProgressBar::render(3u << 20, 0, 1.0, 80);
  EXPECT_EQ(line, "logsift: 3.0 MiB read, 3.0 MiB/s");
}

TEST(progress, never_exceeds_one_hundred_percent) {
  const std::string line = ProgressBar::render(2000, 1000, 1.0, 80);
  EXPECT_NE(line.find("100%"), std::string::npos) << line;
}

}  // namespace
}  // namespace logsift
