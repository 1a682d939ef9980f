/* The one language-neutral SWIG interface of datasparse. It wraps the thin
 * C++ layer in datasparse.hpp (which uses only the public C ABI); each
 * language's typemaps, names and idioms are in bindings/<language>/. */
%module(directors="1") datasparse

%{
#include "datasparse.hpp"
%}

%include <stdint.i>
%include <std_string.i>
%include <std_vector.i>

/* Subclassable in the target language: schedules, update-mask, lambda factors. */
%feature("director") datasparse::DataSparsifier;
%feature("director") datasparse::Schedule;
%feature("director") datasparse::LambdaFactor;

/* Not part of the bindings' surface: errors arrive as each language's
 * exception; views are made by the library and handed to updateMask. */
%ignore datasparse::detail;
%ignore datasparse::Sparsifier::Sparsifier;
%ignore datasparse::Error;
%ignore datasparse::Config::operator=;
%nodefaultctor datasparse::DataView;
%nodefaultctor datasparse::MaskView;

/* A language's delete/Dispose of a sparsifier or scheduler goes through
 * release(): from inside one of the object's own calls (a callback that
 * closes it) the deletion waits until that call returns. */
%extend datasparse::DataNormSparsifier {
    ~DataNormSparsifier() { datasparse::Sparsifier::release($self); }
}
%extend datasparse::DataSparsifier {
    ~DataSparsifier() { datasparse::Sparsifier::release($self); }
}
%extend datasparse::DataScheduler {
    ~DataScheduler() { datasparse::DataScheduler::release($self); }
}
%ignore datasparse::Sparsifier::release;
%ignore datasparse::DataScheduler::release;

#if defined(SWIGJAVA)
%include "java/datasparse_java.i"
#elif defined(SWIGCSHARP)
%include "csharp/datasparse_csharp.i"
#elif defined(SWIGPYTHON)
%include "python/datasparse_python.i"
#endif

%include "datasparse.hpp"
