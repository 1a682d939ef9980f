#include "core/schedules.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"

namespace ds {
namespace {

// Integers travel as doubles in configs: keep them exact.
constexpr double kMaxExactInteger = 9007199254740992.0;  // 2^53

double param(const Config &params, const char *key, const char *kind) {
    auto it = params.find(key);
    if (it == params.end()) fail(DS_ERR_INVALID_ARGUMENT, std::string(kind) + " schedule needs parameter " + key);
    if (!std::isfinite(it->second))
        fail(DS_ERR_INVALID_ARGUMENT, std::string(key) + " of the " + kind + " schedule must be finite, got " +
                                          format_number(it->second));
    return it->second;
}

int64_t integer_param(const Config &params, const char *key, const char *kind, int64_t min) {
    const double v = param(params, key, kind);
    if (std::floor(v) != v || v < static_cast<double>(min) || v > kMaxExactInteger)
        fail(DS_ERR_INVALID_ARGUMENT, std::string(key) + " of the " + kind + " schedule must be an integer >= " +
                                          std::to_string(min) + ", got " + format_number(v));
    return static_cast<int64_t>(v);
}

double clamp(double x, double lo, double hi) { return std::max(lo, std::min(hi, x)); }

class Gamma final : public Schedule {
public:
    explicit Gamma(const Config &p) : gamma_(param(p, "gamma", "gamma")), threshold_(param(p, "threshold", "gamma")) {}
    double value(const std::string &, int64_t epoch, double base, double current) override {
        return epoch <= 0 ? base : std::min(threshold_, current * gamma_);
    }
    const char *kind() const override { return "gamma"; }
    Config params() const override { return {{"gamma", gamma_}, {"threshold", threshold_}}; }
    std::unique_ptr<Schedule> clone() const override { return std::make_unique<Gamma>(*this); }

private:
    double gamma_, threshold_;
};

class Step final : public Schedule {
public:
    explicit Step(const Config &p) : step_size_(integer_param(p, "step_size", "step", 1)), gamma_(param(p, "gamma", "step")) {}
    double value(const std::string &, int64_t epoch, double base, double) override {
        const int64_t e = std::max<int64_t>(epoch, 0);
        return base * std::pow(gamma_, static_cast<double>(e / step_size_));
    }
    const char *kind() const override { return "step"; }
    Config params() const override { return {{"step_size", static_cast<double>(step_size_)}, {"gamma", gamma_}}; }
    std::unique_ptr<Schedule> clone() const override { return std::make_unique<Step>(*this); }

private:
    int64_t step_size_;
    double gamma_;
};

class Cubic final : public Schedule {
public:
    explicit Cubic(const Config &p)
        : init_value_(param(p, "init_value", "cubic")),
          init_t_(integer_param(p, "init_t", "cubic", 0)),
          delta_t_(integer_param(p, "delta_t", "cubic", 1)),
          total_t_(integer_param(p, "total_t", "cubic", 1)),
          initially_zero_(integer_param(p, "initially_zero", "cubic", 0)) {
        if (initially_zero_ > 1)
            fail(DS_ERR_INVALID_ARGUMENT, "initially_zero of the cubic schedule must be 0 or 1, got " +
                                              std::to_string(initially_zero_));
    }
    double value(const std::string &, int64_t t, double base, double) override {
        if (initially_zero_ && t < init_t_) return 0.0;
        const double s_i = init_value_, s_f = base;
        const double progress = static_cast<double>(t - init_t_) / (static_cast<double>(delta_t_) * static_cast<double>(total_t_));
        const double s_t = s_f + (s_i - s_f) * std::pow(1.0 - progress, 3.0);
        return clamp(s_t, s_i, s_f);
    }
    const char *kind() const override { return "cubic"; }
    Config params() const override {
        return {{"init_value", init_value_},
                {"init_t", static_cast<double>(init_t_)},
                {"delta_t", static_cast<double>(delta_t_)},
                {"total_t", static_cast<double>(total_t_)},
                {"initially_zero", static_cast<double>(initially_zero_)}};
    }
    std::unique_ptr<Schedule> clone() const override { return std::make_unique<Cubic>(*this); }

private:
    double init_value_;
    int64_t init_t_, delta_t_, total_t_, initially_zero_;
};

class PolynomialDecay final : public Schedule {
public:
    explicit PolynomialDecay(const Config &p)
        : initial_(param(p, "initial", "polynomial_decay")),
          final_(param(p, "final", "polynomial_decay")),
          begin_(integer_param(p, "begin_step", "polynomial_decay", 0)),
          end_(integer_param(p, "end_step", "polynomial_decay", 0)),
          power_(param(p, "power", "polynomial_decay")),
          frequency_(integer_param(p, "frequency", "polynomial_decay", 1)) {
        if (end_ <= begin_)
            fail(DS_ERR_INVALID_ARGUMENT, "end_step of the polynomial_decay schedule must be > begin_step " +
                                              std::to_string(begin_) + ", got " + std::to_string(end_));
    }
    double value(const std::string &, int64_t t, double, double current) override {
        const bool turn = t >= begin_ && t <= end_ && (t - begin_) % frequency_ == 0;
        if (!turn) return current;
        const double p = clamp(static_cast<double>(t - begin_) / static_cast<double>(end_ - begin_), 0.0, 1.0);
        return final_ + (initial_ - final_) * std::pow(1.0 - p, power_);
    }
    const char *kind() const override { return "polynomial_decay"; }
    Config params() const override {
        return {{"initial", initial_},
                {"final", final_},
                {"begin_step", static_cast<double>(begin_)},
                {"end_step", static_cast<double>(end_)},
                {"power", power_},
                {"frequency", static_cast<double>(frequency_)}};
    }
    std::unique_ptr<Schedule> clone() const override { return std::make_unique<PolynomialDecay>(*this); }

private:
    double initial_, final_;
    int64_t begin_, end_;
    double power_;
    int64_t frequency_;
};

class Constant final : public Schedule {
public:
    explicit Constant(const Config &p)
        : value_(param(p, "value", "constant")),
          begin_(integer_param(p, "begin_step", "constant", 0)),
          end_(integer_param(p, "end_step", "constant", -1)),
          frequency_(integer_param(p, "frequency", "constant", 1)) {
        if (end_ != -1 && end_ < begin_)
            fail(DS_ERR_INVALID_ARGUMENT, "end_step of the constant schedule must be -1 or >= begin_step " +
                                              std::to_string(begin_) + ", got " + std::to_string(end_));
    }
    double value(const std::string &, int64_t t, double, double current) override {
        const bool turn = t >= begin_ && (end_ == -1 || t <= end_) && (t - begin_) % frequency_ == 0;
        return turn ? value_ : current;
    }
    const char *kind() const override { return "constant"; }
    Config params() const override {
        return {{"value", value_},
                {"begin_step", static_cast<double>(begin_)},
                {"end_step", static_cast<double>(end_)},
                {"frequency", static_cast<double>(frequency_)}};
    }
    std::unique_ptr<Schedule> clone() const override { return std::make_unique<Constant>(*this); }

private:
    double value_;
    int64_t begin_, end_, frequency_;
};

class Lambda final : public Schedule {
public:
    explicit Lambda(std::function<double(int64_t)> f) : f_(std::move(f)) {}
    double value(const std::string &, int64_t epoch, double base, double) override { return base * f_(epoch); }
    const char *kind() const override { return "lambda"; }
    std::unique_ptr<Schedule> clone() const override { return std::make_unique<Lambda>(*this); }

private:
    std::function<double(int64_t)> f_;
};

}  // namespace

std::unique_ptr<Schedule> make_builtin(const std::string &kind, const Config &params) {
    if (kind == "gamma") return std::make_unique<Gamma>(params);
    if (kind == "step") return std::make_unique<Step>(params);
    if (kind == "cubic") return std::make_unique<Cubic>(params);
    if (kind == "polynomial_decay") return std::make_unique<PolynomialDecay>(params);
    if (kind == "constant") return std::make_unique<Constant>(params);
    fail(DS_ERR_INVALID_ARGUMENT, "unknown built-in schedule " + quoted(kind));
}

std::unique_ptr<Schedule> make_lambda(std::function<double(int64_t)> f) {
    if (!f) fail(DS_ERR_INVALID_ARGUMENT, "fn (the lambda schedule's factor) must not be NULL");
    return std::make_unique<Lambda>(std::move(f));
}

bool is_serialisable_builtin(const std::string &kind) {
    return kind == "gamma" || kind == "step" || kind == "cubic" || kind == "polynomial_decay" || kind == "constant";
}

}  // namespace ds
