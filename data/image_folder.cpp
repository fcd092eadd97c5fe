#include "data/image_folder.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <filesystem>
#include <thread>

#include "data/image_decode.h"

namespace fs = std::filesystem;

namespace htp::data {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string joined(const std::vector<std::string>& words) {
  std::string s;
  for (const auto& w : words) s += (s.empty() ? "" : " ") + w;
  return s;
}

std::vector<std::string> image_files(const fs::path& dir, const std::vector<std::string>& extensions) {
  std::vector<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir, fs::directory_options::follow_directory_symlink)) {
    if (!entry.is_regular_file()) continue;
    const std::string ext = lower(entry.path().extension().string());
    if (std::find(extensions.begin(), extensions.end(), ext) != extensions.end()) files.push_back(entry.path().string());
  }
  // torchvision's order: by directory (sorted(os.walk(...))), then by file name within it.
  std::sort(files.begin(), files.end(), [](const std::string& a, const std::string& b) {
    const fs::path pa(a), pb(b);
    return std::pair(pa.parent_path().string(), pa.filename().string()) <
           std::pair(pb.parent_path().string(), pb.filename().string());
  });
  return files;
}

// The reason each file fails to decode ("" when it decodes), computed on `threads` threads.
std::vector<std::string> decode_failures(const std::vector<std::string>& paths, int threads) {
  std::vector<std::string> reasons(paths.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < paths.size(); i = next++) {
      try {
        load_image(paths[i]);
      } catch (const std::exception& e) {
        reasons[i] = e.what();
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(work);
  for (auto& t : pool) t.join();
  return reasons;
}

}  // namespace

ImageFolder::ImageFolder(const std::string& root, ImageFolderOptions options) : LabelledImages(root) {
  std::error_code ec;
  HTP_CHECK(fs::is_directory(root, ec), root, ": not a directory (expected root/<class name>/<image files>)");
  std::vector<std::string> paths;
  std::vector<int64_t> labels;
  try {
    for (const auto& entry : fs::directory_iterator(root)) {
      if (entry.is_directory()) class_names_.push_back(entry.path().filename().string());
    }
    std::sort(class_names_.begin(), class_names_.end());
    HTP_CHECK(!class_names_.empty(), root, ": no class sub-directories");
    for (size_t c = 0; c < class_names_.size(); ++c) {
      const std::vector<std::string> files = image_files(fs::path(root) / class_names_[c], options.extensions);
      HTP_CHECK(!files.empty(), root, "/", class_names_[c], ": class directory without image files (extensions ",
                joined(options.extensions), ")");
      paths.insert(paths.end(), files.begin(), files.end());
      labels.insert(labels.end(), files.size(), static_cast<int64_t>(c));
    }
  } catch (const fs::filesystem_error& e) {
    throw Error(detail::concat(root, ": cannot list the image folder (", e.what(), ")"));
  }

  if (!options.skip_unreadable) {
    paths_ = std::move(paths);
    labels_ = std::move(labels);
    return;
  }
  const int threads = options.verify_threads > 0 ? options.verify_threads
                                                 : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const std::vector<std::string> reasons = decode_failures(paths, threads);
  for (size_t i = 0; i < paths.size(); ++i) {
    if (reasons[i].empty()) {
      paths_.push_back(paths[i]);
      labels_.push_back(labels[i]);
    } else {
      skipped_.push_back({paths[i], reasons[i]});
    }
  }
}

}  // namespace htp::data
