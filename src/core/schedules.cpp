#include "core/schedules.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.hpp"

namespace ds {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kMaxInt = kMaxExactInteger;

double clamp(double x, double lo, double hi) { return std::max(lo, std::min(hi, x)); }

// What every built-in shares: its spec and its checked values, in spec order.
// A value that overflows saturates at +-DBL_MAX: a valid built-in never
// produces a value the scheduler must refuse (which would stop a run for good).
class Builtin : public Schedule {
public:
    Builtin(const char *kind, std::vector<double> values) : kind_(kind), values_(std::move(values)) {}
    double value(const std::string &name, int64_t epoch, double base, double current) final {
        const double v = compute(name, epoch, base, current);
        return std::isinf(v) ? std::copysign(std::numeric_limits<double>::max(), v) : v;
    }
    virtual double compute(const std::string &name, int64_t epoch, double base, double current) = 0;
    const char *kind() const override { return kind_; }
    Config params() const override {
        const ScheduleSpec *spec = find_builtin_schedule(kind_);
        Config c;
        for (size_t i = 0; i < values_.size(); ++i) c[spec->params[i].name] = values_[i];
        return c;
    }

protected:
    double real(size_t i) const { return values_[i]; }
    int64_t integer(size_t i) const { return static_cast<int64_t>(values_[i]); }

private:
    const char *kind_;
    std::vector<double> values_;
};

template <typename T>
std::unique_ptr<Schedule> make(const std::vector<double> &values) {
    return std::make_unique<T>(values);
}

// gamma(gamma, threshold)
class Gamma final : public Builtin {
public:
    explicit Gamma(const std::vector<double> &v) : Builtin("gamma", v), gamma_(real(0)), threshold_(real(1)) {}
    double compute(const std::string &, int64_t epoch, double base, double current) override {
        return epoch <= 0 ? base : std::min(threshold_, current * gamma_);
    }
    std::unique_ptr<Schedule> clone() const override { return std::make_unique<Gamma>(*this); }

private:
    double gamma_, threshold_;
};

// step(step_size, gamma)
class Step final : public Builtin {
public:
    explicit Step(const std::vector<double> &v) : Builtin("step", v), step_size_(integer(0)), gamma_(real(1)) {}
    double compute(const std::string &, int64_t epoch, double base, double) override {
        const int64_t e = std::max<int64_t>(epoch, 0);
        double factor = std::pow(gamma_, static_cast<double>(e / step_size_));
        if (std::isinf(factor)) factor = std::copysign(std::numeric_limits<double>::max(), factor);  // 0 * inf is NaN
        return base * factor;
    }
    std::unique_ptr<Schedule> clone() const override { return std::make_unique<Step>(*this); }

private:
    int64_t step_size_;
    double gamma_;
};

// cubic(init_value, init_t, delta_t, total_t, initially_zero)
class Cubic final : public Builtin {
public:
    explicit Cubic(const std::vector<double> &v)
        : Builtin("cubic", v),
          init_value_(real(0)),
          init_t_(integer(1)),
          delta_t_(integer(2)),
          total_t_(integer(3)),
          initially_zero_(integer(4) != 0) {}
    double compute(const std::string &, int64_t t, double base, double) override {
        if (initially_zero_ && t < init_t_) return 0.0;
        const double s_i = init_value_, s_f = base;
        const double progress =
            static_cast<double>(t - init_t_) / (static_cast<double>(delta_t_) * static_cast<double>(total_t_));
        const double s_t = s_f + (s_i - s_f) * std::pow(1.0 - progress, 3.0);
        return clamp(s_t, s_i, s_f);
    }
    std::unique_ptr<Schedule> clone() const override { return std::make_unique<Cubic>(*this); }

private:
    double init_value_;
    int64_t init_t_, delta_t_, total_t_;
    bool initially_zero_;
};

// polynomial_decay(initial, final, begin_step, end_step, power, frequency)
class PolynomialDecay final : public Builtin {
public:
    explicit PolynomialDecay(const std::vector<double> &v)
        : Builtin("polynomial_decay", v),
          initial_(real(0)),
          final_(real(1)),
          begin_(integer(2)),
          end_(integer(3)),
          power_(real(4)),
          frequency_(integer(5)) {
        if (end_ <= begin_)
            fail(Status::invalid_argument, "end_step of the polynomial_decay schedule must be > begin_step " +
                                               std::to_string(begin_) + ", got " + std::to_string(end_));
    }
    double compute(const std::string &, int64_t t, double, double current) override {
        const bool turn = t >= begin_ && t <= end_ && (t - begin_) % frequency_ == 0;
        if (!turn) return current;
        const double p = clamp(static_cast<double>(t - begin_) / static_cast<double>(end_ - begin_), 0.0, 1.0);
        return final_ + (initial_ - final_) * std::pow(1.0 - p, power_);
    }
    std::unique_ptr<Schedule> clone() const override { return std::make_unique<PolynomialDecay>(*this); }

private:
    double initial_, final_;
    int64_t begin_, end_;
    double power_;
    int64_t frequency_;
};

// constant(value, begin_step, end_step, frequency)
class Constant final : public Builtin {
public:
    explicit Constant(const std::vector<double> &v)
        : Builtin("constant", v), value_(real(0)), begin_(integer(1)), end_(integer(2)), frequency_(integer(3)) {
        if (end_ != -1 && end_ < begin_)
            fail(Status::invalid_argument, "end_step of the constant schedule must be -1 or >= begin_step " +
                                               std::to_string(begin_) + ", got " + std::to_string(end_));
    }
    double compute(const std::string &, int64_t t, double, double current) override {
        const bool turn = t >= begin_ && (end_ == -1 || t <= end_) && (t - begin_) % frequency_ == 0;
        return turn ? value_ : current;
    }
    std::unique_ptr<Schedule> clone() const override { return std::make_unique<Constant>(*this); }

private:
    double value_;
    int64_t begin_, end_, frequency_;
};

// cosine(final, begin_step, total_steps)
class Cosine final : public Builtin {
public:
    explicit Cosine(const std::vector<double> &v)
        : Builtin("cosine", v), final_(real(0)), begin_(integer(1)), total_(integer(2)) {}
    double compute(const std::string &, int64_t t, double base, double) override {
        if (t <= begin_) return base;
        const double p = std::min(1.0, static_cast<double>(t - begin_) / static_cast<double>(total_));
        return final_ + (base - final_) * 0.5 * (1.0 + std::cos(kPi * p));
    }
    std::unique_ptr<Schedule> clone() const override { return std::make_unique<Cosine>(*this); }

private:
    static constexpr double kPi = 3.14159265358979323846;
    double final_;
    int64_t begin_, total_;
};

class Lambda final : public Schedule {
public:
    explicit Lambda(std::function<double(int64_t)> f) : f_(std::move(f)) {}
    double value(const std::string &, int64_t epoch, double base, double) override { return base * f_(epoch); }
    const char *kind() const override { return kLambdaScheduleKind; }
    std::unique_ptr<Schedule> clone() const override { return std::make_unique<Lambda>(*this); }

private:
    std::function<double(int64_t)> f_;
};

// Shorthands for the table: name, type, bounds, default, doc.
ParamSpec real_param(const char *name, const char *doc) { return {name, ParamType::real, -kInf, kInf, false, 0, doc}; }
ParamSpec real_param(const char *name, double def, const char *doc) {
    return {name, ParamType::real, -kInf, kInf, true, def, doc};
}
ParamSpec int_param(const char *name, double min, const char *doc) {
    return {name, ParamType::integer, min, kMaxInt, false, 0, doc};
}
ParamSpec int_param(const char *name, double min, double def, const char *doc) {
    return {name, ParamType::integer, min, kMaxInt, true, def, doc};
}
ParamSpec bool_param(const char *name, double def, const char *doc) {
    return {name, ParamType::boolean, 0, 1, true, def, doc};
}

}  // namespace

// The registry. t is the epoch, base the item's value when the scheduler
// first saw it, current its value now; "keep" means the value stays current.
const std::vector<ScheduleSpec> &builtin_schedules() {
    static const std::vector<ScheduleSpec> table = {
        {"gamma", "t = 0: base; else min(threshold, current * gamma)", "the seed's GammaScheduler, fixed",
         {real_param("gamma", "factor applied at every epoch after the first"),
          real_param("threshold", "the value never exceeds it")},
         make<Gamma>},
        {"step", "base * gamma^floor(t / step_size)", "StepLR",
         {int_param("step_size", 1, "epochs between two multiplications"),
          real_param("gamma", 0.1, "factor applied every step_size epochs")},
         make<Step>},
        {"cubic",
         "initially_zero and t < init_t: 0; else clamp(s_f + (s_i - s_f)(1 - (t - init_t)/(delta_t total_t))^3, "
         "s_i, s_f) with s_i = init_value, s_f = base",
         "PyTorch CubicSL (Zhu & Gupta 2017)",
         {real_param("init_value", 0.0, "s_i, the value at init_t"),
          int_param("init_t", 0, 0, "epoch the ramp starts at"),
          int_param("delta_t", 1, 10, "epochs per pruning step"),
          int_param("total_t", 1, 20, "number of pruning steps"),
          bool_param("initially_zero", 0, "0 before init_t instead of the ramp's value")},
         make<Cubic>},
        {"polynomial_decay",
         "on a turn (begin_step <= t <= end_step, (t - begin_step) % frequency == 0): final + (initial - final)"
         "(1 - p)^power, p = clamp((t - begin_step)/(end_step - begin_step), 0, 1); otherwise keep",
         "TF-MOT PolynomialDecay",
         {real_param("initial", "the value at begin_step"), real_param("final", "the value from end_step on"),
          int_param("begin_step", 0, "first epoch of the decay"),
          int_param("end_step", 0, "last epoch of the decay, > begin_step"),
          {"power", ParamType::real, 0, kInf, true, 3.0, "exponent of the decay, >= 0 (0^-p would be inf at end_step)"},
          int_param("frequency", 1, 100, "epochs between two changes")},
         make<PolynomialDecay>},
        {"constant",
         "on a turn (begin_step <= t, end_step == -1 or t <= end_step, (t - begin_step) % frequency == 0): value; "
         "otherwise keep",
         "TF-MOT ConstantSparsity",
         {real_param("value", "the value set on every turn"), int_param("begin_step", 0, "first turn"),
          int_param("end_step", -1, -1, "last turn, or -1 for none"),
          int_param("frequency", 1, 100, "epochs between two turns")},
         make<Constant>},
        {"cosine",
         "t <= begin_step: base; else final + (base - final)(1 + cos(pi p))/2, p = min(1, (t - begin_step)/total_steps)",
         "cosine annealing (Loshchilov & Hutter 2017), from base to final",
         {real_param("final", "the value from begin_step + total_steps on"),
          int_param("begin_step", 0, 0, "last epoch at the base value"),
          int_param("total_steps", 1, "epochs from base to final")},
         make<Cosine>},
    };
    return table;
}

const ScheduleSpec *find_builtin_schedule(const std::string &kind) {
    for (const ScheduleSpec &s : builtin_schedules())
        if (kind == s.kind) return &s;
    return nullptr;
}

bool is_known_schedule_kind(const std::string &kind) {
    return find_builtin_schedule(kind) || kind == kLambdaScheduleKind || kind == kUserScheduleKind;
}

std::unique_ptr<Schedule> make_builtin(const ScheduleSpec &spec, const std::vector<ParamValue> &values) {
    if (values.size() != spec.params.size())
        fail(Status::internal, std::string("the ") + spec.kind + " schedule takes " +
                                   std::to_string(spec.params.size()) + " parameters, got " +
                                   std::to_string(values.size()));
    const std::string owner = std::string("of the ") + spec.kind + " schedule";
    std::vector<double> checked;
    checked.reserve(values.size());
    for (size_t i = 0; i < values.size(); ++i) {
        if (values[i].is_integer)
            check_integer_param(spec.params[i], values[i].integer, owner);
        else
            check_param(spec.params[i], values[i].real, owner);
        checked.push_back(values[i].real);
    }
    return spec.make(checked);
}

std::unique_ptr<Schedule> make_builtin(const std::string &kind, const Config &params) {
    const ScheduleSpec *spec = find_builtin_schedule(kind);
    if (!spec) {
        std::string known;
        for (const ScheduleSpec &s : builtin_schedules()) known += std::string(known.empty() ? "" : ", ") + s.kind;
        fail(Status::invalid_argument, "unknown built-in schedule " + quoted(kind) + " (built-ins: " + known + ")");
    }
    std::vector<ParamValue> values;
    size_t used = 0;
    for (const ParamSpec &p : spec->params) {
        auto it = params.find(p.name);
        if (it != params.end()) {
            values.emplace_back(it->second);
            ++used;
        } else if (p.has_default) {
            values.emplace_back(p.default_value);
        } else {
            fail(Status::invalid_argument, std::string(spec->kind) + " schedule needs parameter " + p.name);
        }
    }
    if (used != params.size()) {
        for (const auto &kv : params) {
            bool known = false;
            for (const ParamSpec &p : spec->params) known = known || kv.first == p.name;
            if (!known) {
                std::string names;
                for (const ParamSpec &p : spec->params) names += std::string(names.empty() ? "" : ", ") + p.name;
                fail(Status::invalid_argument, "the " + std::string(spec->kind) + " schedule has no parameter " +
                                                   quoted(kv.first) + " (it has " + names + ")");
            }
        }
    }
    return make_builtin(*spec, values);
}

std::unique_ptr<Schedule> make_lambda(std::function<double(int64_t)> f) {
    if (!f) fail(Status::invalid_argument, "fn (the lambda schedule's factor) must not be NULL");
    return std::make_unique<Lambda>(std::move(f));
}

}  // namespace ds
