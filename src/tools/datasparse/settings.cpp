#include "settings.hpp"

#include "errors.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <fnmatch.h>
#include <fstream>
#include <sstream>

namespace dstool {

void Settings::apply(const Settings &o) {
    if (o.level) level = o.level;
    if (o.block_rows) block_rows = o.block_rows;
    if (o.block_cols) block_cols = o.block_cols;
    if (o.zeros) zeros = o.zeros;
    if (o.norm) norm = o.norm;
    if (o.skip) skip = o.skip;
}

static bool matches(const std::string &glob, const std::string &name) {
    return glob == name || fnmatch(glob.c_str(), name.c_str(), 0) == 0;
}

TensorPlan Selection::plan_for(const TensorInfo &t) const {
    Settings s;
    s.apply(config_defaults);
    s.apply(command_line);
    for (const auto &rule : rules)
        if (matches(rule.first, t.name)) s.apply(rule.second);
    TensorPlan p;
    if (s.level) p.level = *s.level;
    if (s.block_rows) p.block_rows = *s.block_rows;
    if (s.block_cols) p.block_cols = *s.block_cols;
    p.zeros = s.zeros ? *s.zeros : p.block_rows * p.block_cols;
    if (s.norm) p.norm = *s.norm;
    bool selected = only.empty();
    for (const std::string &g : only) selected = selected || matches(g, t.name);
    if (!t.not_sparsifiable.empty()) p.why_not = t.not_sparsifiable;
    else if (!selected) p.why_not = "not --only";
    else {
        for (const std::string &g : skip)
            if (matches(g, t.name)) p.why_not = "--skip " + g;
        if (p.why_not.empty() && s.skip && *s.skip) p.why_not = "skip in --config";
    }
    p.sparsify = p.why_not.empty();
    return p;
}

void parse_block(const std::string &text, const std::string &what, int &rows, int &cols) {
    const size_t x = text.find('x');
    auto number = [&](const std::string &s) {
        if (s.empty() || s.size() > 6 || s.find_first_not_of("0123456789") != std::string::npos)
            throw Error(what + " " + text + ": expected ROWSxCOLS, e.g. 1x4");
        const int v = std::stoi(s);
        if (v < 1 || v > 65536) throw Error(what + " " + text + ": block sizes must be in [1, 65536]");
        return v;
    };
    if (x == std::string::npos) throw Error(what + " " + text + ": expected ROWSxCOLS, e.g. 1x4");
    rows = number(text.substr(0, x));
    cols = number(text.substr(x + 1));
}

ds_norm parse_norm(const std::string &text, const std::string &what) {
    if (text == "l1" || text == "L1") return DS_NORM_L1;
    if (text == "l2" || text == "L2") return DS_NORM_L2;
    throw Error(what + " " + text + ": expected l1 or l2");
}

double parse_level(double v, const std::string &what) {
    if (!(v >= 0.0 && v <= 1.0)) {
        std::ostringstream s;
        s << what << " " << v << ": must be in [0, 1]";
        throw Error(s.str());
    }
    return v;
}

static Settings settings_from(const nlohmann::ordered_json &j, const std::string &file, const std::string &where) {
    if (!j.is_object()) fail(file, where + " is not an object");
    Settings s;
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string key = it.key();
        const auto &v = it.value();
        const std::string what = where + "." + key;
        try {
            if (key == "sparsity" || key == "sparsity_level") {
                if (!v.is_number()) fail(file, what + " is not a number");
                s.level = parse_level(v.get<double>(), what);
            } else if (key == "block") {
                if (!v.is_string()) fail(file, what + " is not a string like \"1x4\"");
                int r, c;
                parse_block(v.get<std::string>(), what, r, c);
                s.block_rows = r;
                s.block_cols = c;
            } else if (key == "zeros_per_block") {
                if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > (1ll << 32))
                    fail(file, what + " is not an integer >= 0");
                s.zeros = static_cast<int>(v.get<int64_t>());
            } else if (key == "norm") {
                if (!v.is_string()) fail(file, what + " is not \"l1\" or \"l2\"");
                s.norm = parse_norm(v.get<std::string>(), what);
            } else if (key == "skip") {
                if (!v.is_boolean()) fail(file, what + " is not true or false");
                s.skip = v.get<bool>();
            } else {
                fail(file, "unknown key " + what + " (known: sparsity, block, zeros_per_block, norm, skip)");
            }
        } catch (const Error &e) {
            const std::string m = e.what();
            if (m.rfind(file + ":", 0) == 0) throw;
            fail(file, m);
        }
    }
    return s;
}

void load_config(const std::string &path, Selection &sel) {
    std::ifstream f(path);
    if (!f) fail(path, "cannot open the config file");
    std::stringstream buf;
    buf << f.rdbuf();
    nlohmann::ordered_json j;
    try {
        j = nlohmann::ordered_json::parse(buf.str());
    } catch (const nlohmann::json::exception &e) {
        fail(path, std::string("bad JSON: ") + e.what());
    }
    if (!j.is_object()) fail(path, "the config is not a JSON object");
    for (auto it = j.begin(); it != j.end(); ++it) {
        if (it.key() == "defaults") sel.config_defaults = settings_from(it.value(), path, "defaults");
        else if (it.key() == "tensors") {
            if (!it.value().is_object()) fail(path, "\"tensors\" is not an object of name or glob -> settings");
            for (auto t = it.value().begin(); t != it.value().end(); ++t)
                sel.rules.emplace_back(t.key(), settings_from(t.value(), path, "tensors[\"" + t.key() + "\"]"));
        } else {
            fail(path, "unknown key \"" + it.key() + "\" (known: defaults, tensors)");
        }
    }
}

void check_plan(const std::string &file, const TensorInfo &t, const TensorPlan &p) {
    const int64_t block = int64_t(p.block_rows) * p.block_cols;
    if (p.zeros < 0 || p.zeros > block)
        fail(file, t.name, "zeros per block " + std::to_string(p.zeros) + " must be in [0, " + std::to_string(block) +
                               "] for block " + p.block_text());
}

}  // namespace dstool
