/* Prints the registry (built-in schedules, norm sparsifier keys) as the
 * README's two Markdown tables, each between its markers. The README test
 * checks that README.md holds exactly these blocks, so the docs are the
 * registry's, never a hand-kept copy: `readme_examples.py --update` rewrites
 * them. Uses the public C API only. */
#include <datasparse/datasparse.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* The shortest decimal that reads back as v. */
static const char *num(double v) {
    static char buf[4][32];
    static int next;
    char *b = buf[next++ % 4];
    if (v == floor(v) && fabs(v) < 1e15) {
        snprintf(b, 32, "%.0f", v);
        return b;
    }
    for (int precision = 1; precision <= 17; ++precision) {
        snprintf(b, 32, "%.*g", precision, v);
        if (strtod(b, NULL) == v)
            break;
    }
    return b;
}

/* "integer >= 1, default 10" */
static void print_values(const ds_param_info *p) {
    const int integer = p->type == DS_PARAM_INTEGER;
    const int lo = isfinite(p->min), hi = isfinite(p->max) && !(integer && p->max >= 9007199254740992.0);
    const char *what = p->type == DS_PARAM_BOOL ? "0 or 1" : integer ? "integer" : "number";
    printf("%s", what);
    if (p->type != DS_PARAM_BOOL) {
        if (lo && hi)
            printf(" in [%s, %s]", num(p->min), num(p->max));
        else if (lo)
            printf(" >= %s", num(p->min));
    }
    if (p->has_default)
        printf(", default %s", num(p->default_value));
}

static void print_param(const ds_param_info *p) {
    printf("`%s` (", p->name);
    print_values(p);
    printf(")");
}

int main(void) {
    printf("<!-- registry: schedules -->\n");
    printf("| kind | parameters | value at epoch t | after |\n| --- | --- | --- | --- |\n");
    for (size_t i = 0; i < ds_schedule_info_count(); ++i) {
        const ds_schedule_info *s = ds_schedule_info_at(i);
        printf("| `%s` | ", s->kind);
        for (size_t k = 0; k < s->param_count; ++k) {
            if (k)
                printf(", ");
            print_param(&s->params[k]);
        }
        printf(" | `%s` | %s |\n", s->formula, s->after);
    }
    printf("<!-- /registry -->\n");

    printf("<!-- registry: norm -->\n");
    printf("| key | values | meaning |\n| --- | --- | --- |\n");
    for (size_t i = 0; i < ds_norm_sparsifier_param_count(); ++i) {
        const ds_param_info *p = ds_norm_sparsifier_param_at(i);
        printf("| `%s` | ", p->name);
        print_values(p);
        printf(" | %s |\n", p->doc);
    }
    printf("<!-- /registry -->\n");
    return 0;
}
