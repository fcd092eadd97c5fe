// A small command-line parser for the htp subcommands: --name value, --name=value, boolean --flag, and --help.
// Every option is declared with a help line and a default, so `htp CMD --help` documents itself.
#pragma once
#include <map>
#include <string>
#include <vector>

namespace htp::app {

class Args {
 public:
  Args(std::string command, std::string summary);

  // Declarations (before parse).
  void option(const std::string& name, const std::string& default_value, const std::string& help);
  void flag(const std::string& name, const std::string& help);

  // Returns false when --help was given (the help has been printed). Throws htp::Error on unknown options or
  // missing values, naming the option.
  bool parse(const std::vector<std::string>& argv);

  std::string get(const std::string& name) const;
  int64_t get_int(const std::string& name) const;
  double get_double(const std::string& name) const;
  bool get_flag(const std::string& name) const;
  std::string help() const;

 private:
  struct Spec {
    std::string default_value, help;
    bool is_flag = false;
  };
  std::string command_, summary_;
  std::vector<std::string> order_;
  std::map<std::string, Spec> specs_;
  std::map<std::string, std::string> values_;
};

}  // namespace htp::app
