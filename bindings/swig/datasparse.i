/* The one language-neutral SWIG interface of datasparse, over the thin C++
 * layer datasparse.hpp (which uses only the public C ABI). Every rule of
 * the bindings is stated here once; each language supplies only hooks
 * (bindings/<language>/<language>_hooks.i: its naming rule, how it raises
 * an exception, how a wrapper fails) and its idioms
 * (bindings/<language>/datasparse_<language>.i: buffers, names, code).
 *
 *   1. the language's hooks
 *   2. the allow-list: nothing is wrapped unless listed here
 *   3. the exception policy
 *   4. the handle (RAII) policy and the callbacks
 *   5. the language's surface
 *   6. the enums, emitted from the C header, and the C++ layer itself
 */
%module(directors="1") datasparse

%{
#include <new>
#include <string>
#include "datasparse.hpp"

namespace ds_binding {
/* What a failed call raises, decided here for every language: the status,
 * the message, and for a closed handle (or a callback's view used after its
 * callback) the class, so that the language raises its "closed" exception. */
struct Failure {
    int status;
    std::string message;
    const char *closed_type;
};

/* Classifies the exception in flight (called from a catch block). */
inline Failure current_failure() {
    try {
        throw;
    } catch (const datasparse::Error &e) {
        return {e.status(), e.what(), e.closedType()};
    } catch (const std::bad_alloc &) {
        return {DS_ERR_NO_MEMORY, "out of memory", nullptr};
    } catch (const std::exception &e) {
        return {DS_ERR_INTERNAL, e.what(), nullptr};
    } catch (...) {
        return {DS_ERR_INTERNAL, "unknown C++ exception", nullptr};
    }
}

/* A callback's view (DataView, MaskView, or its Config) whose proxy was
 * detached when the callback returned. type is "datasparse::X". */
inline Failure expired(const char *type) {
    const char *name = std::strrchr(type, ':');
    name = name ? name + 1 : type;
    return {DS_ERR_STATE, std::string("a ") + name + " is only valid during the callback that received it", name};
}
}  // namespace ds_binding
%}

%include <stdint.i>
%include <std_string.i>

/* ---------------------------------------------------------------------
 * 1. The language's hooks. Each defines
 *      DS_METHOD_NAME   its rename rule for methods and functions;
 *      DS_ENUM_ITEMS    its rename rule for the constants of the enums
 *                       below (the prefix DS_, DS_ERR_, DS_NORM_ or DS_LOG_
 *                       goes; the *_MAX_ENUM sentinels stay unwrapped);
 *      DS_RAISE(f)      sets the language's exception for a
 *                       ds_binding::Failure f (the pending exception of a
 *                       failed callback becomes its cause);
 *      DS_FAIL          leaves a wrapper that has raised.
 * --------------------------------------------------------------------- */
#if defined(SWIGJAVA)
%include "java/java_hooks.i"
#elif defined(SWIGCSHARP)
%include "csharp/csharp_hooks.i"
#elif defined(SWIGPYTHON)
%include "python/python_hooks.i"
#else
#error "datasparse.i: no hooks for this language"
#endif

/* ---------------------------------------------------------------------
 * 2. The allow-list (as OR-Tools does): everything is ignored, then each
 *    symbol the bindings expose is listed. A language may hide or rename
 *    them in its surface file; the few helpers it adds itself (%extend)
 *    are listed there, next to their definition.
 * --------------------------------------------------------------------- */
%define %ignoreall %ignore ""; %enddef
%define %unignore %rename("%s") %enddef
%define DS_ALLOW(SYMBOL) %rename(DS_METHOD_NAME) SYMBOL; %enddef

%ignoreall

%unignore datasparse;

/* Enums of the C header, and the name of a status. */
%rename(Status) ds_status;
%rename(Norm) ds_norm;
%rename(LogLevel) ds_log_level;
%rename(DType) ds_dtype;
DS_ENUM_ITEMS
DS_ALLOW(ds_status_string)
DS_ALLOW(datasparse::version)

/* Handle classes: Config, the sparsifiers, DataScheduler, BuiltinSchedule. */
%unignore datasparse::Config;
%unignore datasparse::Config::Config;
%unignore datasparse::Config::~Config;
DS_ALLOW(datasparse::Config::set)
DS_ALLOW(datasparse::Config::get)
DS_ALLOW(datasparse::Config::contains)
DS_ALLOW(datasparse::Config::remove)
DS_ALLOW(datasparse::Config::size)
DS_ALLOW(datasparse::Config::keyAt)
DS_ALLOW(datasparse::Config::keys)
DS_ALLOW(datasparse::Config::close)
DS_ALLOW(datasparse::Config::isClosed)

%unignore datasparse::Sparsifier;
%unignore datasparse::Sparsifier::~Sparsifier;
DS_ALLOW(datasparse::Sparsifier::addDataBorrowed)
DS_ALLOW(datasparse::Sparsifier::addDataCopy)
/* Tensors through raw memory: Java and C# wrap these in their own types;
   Python passes NumPy/torch memory through its own helpers
   (python/datasparse_python.i), and these raw-pointer calls stay hidden. */
#ifndef SWIGPYTHON
DS_ALLOW(datasparse::Sparsifier::addTensorBorrowed)
DS_ALLOW(datasparse::Sparsifier::addTensorCopy)
DS_ALLOW(datasparse::Sparsifier::getDtype)
DS_ALLOW(datasparse::Sparsifier::getShape)
DS_ALLOW(datasparse::Sparsifier::getRowStride)
DS_ALLOW(datasparse::Sparsifier::getTensorData)
DS_ALLOW(datasparse::Sparsifier::addShardBorrowed)
DS_ALLOW(datasparse::Sparsifier::addShardCopy)
#endif
/* Groups and shards (issue 14). */
DS_ALLOW(datasparse::Sparsifier::getShardGlobalRows)
DS_ALLOW(datasparse::Sparsifier::getShardFirstRow)
DS_ALLOW(datasparse::Sparsifier::setGroup)
DS_ALLOW(datasparse::Sparsifier::removeGroup)
DS_ALLOW(datasparse::Sparsifier::groupCount)
DS_ALLOW(datasparse::Sparsifier::groupNames)
DS_ALLOW(datasparse::Sparsifier::groupMembers)
DS_ALLOW(datasparse::Sparsifier::setAllreduce)
DS_ALLOW(datasparse::Sparsifier::lastExchanges)
DS_ALLOW(datasparse::Sparsifier::lastExchangeBytes)
DS_ALLOW(datasparse::Sparsifier::removeData)
DS_ALLOW(datasparse::Sparsifier::step)
DS_ALLOW(datasparse::Sparsifier::getMask)
DS_ALLOW(datasparse::Sparsifier::getData)
DS_ALLOW(datasparse::Sparsifier::squashMask)
DS_ALLOW(datasparse::Sparsifier::squashAll)
DS_ALLOW(datasparse::Sparsifier::getParam)
DS_ALLOW(datasparse::Sparsifier::setParam)
DS_ALLOW(datasparse::Sparsifier::getConfig)
DS_ALLOW(datasparse::Sparsifier::setMaskUpdate)
DS_ALLOW(datasparse::Sparsifier::getMaskUpdate)
DS_ALLOW(datasparse::Sparsifier::size)
DS_ALLOW(datasparse::Sparsifier::nameAt)
DS_ALLOW(datasparse::Sparsifier::names)
DS_ALLOW(datasparse::Sparsifier::contains)
DS_ALLOW(datasparse::Sparsifier::rows)
DS_ALLOW(datasparse::Sparsifier::cols)
DS_ALLOW(datasparse::Sparsifier::getSparsity)
DS_ALLOW(datasparse::Sparsifier::isSquashed)
DS_ALLOW(datasparse::Sparsifier::stepCount)
DS_ALLOW(datasparse::Sparsifier::save)
DS_ALLOW(datasparse::Sparsifier::load)
DS_ALLOW(datasparse::Sparsifier::saveToBytes)
DS_ALLOW(datasparse::Sparsifier::loadFromBytes)
DS_ALLOW(datasparse::Sparsifier::close)
DS_ALLOW(datasparse::Sparsifier::isClosed)
DS_ALLOW(datasparse::Sparsifier::inCall)

%unignore datasparse::DataNormSparsifier;
%unignore datasparse::DataNormSparsifier::DataNormSparsifier;
%unignore datasparse::DataNormSparsifier::~DataNormSparsifier;

%unignore datasparse::DataSparsifier;
%unignore datasparse::DataSparsifier::DataSparsifier;
%unignore datasparse::DataSparsifier::~DataSparsifier;
DS_ALLOW(datasparse::DataSparsifier::updateMask)

%unignore datasparse::DataScheduler;
%unignore datasparse::DataScheduler::DataScheduler;
%unignore datasparse::DataScheduler::~DataScheduler;
DS_ALLOW(datasparse::DataScheduler::step)
DS_ALLOW(datasparse::DataScheduler::getLastParam)
DS_ALLOW(datasparse::DataScheduler::getBaseParam)
DS_ALLOW(datasparse::DataScheduler::lastEpoch)
DS_ALLOW(datasparse::DataScheduler::stepCount)
DS_ALLOW(datasparse::DataScheduler::scheduleParam)
DS_ALLOW(datasparse::DataScheduler::size)
DS_ALLOW(datasparse::DataScheduler::nameAt)
DS_ALLOW(datasparse::DataScheduler::names)
DS_ALLOW(datasparse::DataScheduler::setVerbose)
DS_ALLOW(datasparse::DataScheduler::getVerbose)
DS_ALLOW(datasparse::DataScheduler::save)
DS_ALLOW(datasparse::DataScheduler::load)
DS_ALLOW(datasparse::DataScheduler::saveToBytes)
DS_ALLOW(datasparse::DataScheduler::loadFromBytes)
DS_ALLOW(datasparse::DataScheduler::close)
DS_ALLOW(datasparse::DataScheduler::isClosed)
DS_ALLOW(datasparse::DataScheduler::inCall)

%unignore datasparse::BuiltinSchedule;
%unignore datasparse::BuiltinSchedule::~BuiltinSchedule;
DS_ALLOW(datasparse::BuiltinSchedule::gamma)
DS_ALLOW(datasparse::BuiltinSchedule::step)
DS_ALLOW(datasparse::BuiltinSchedule::lambda)
DS_ALLOW(datasparse::BuiltinSchedule::cubic)
DS_ALLOW(datasparse::BuiltinSchedule::polynomialDecay)
DS_ALLOW(datasparse::BuiltinSchedule::constant)
DS_ALLOW(datasparse::BuiltinSchedule::kind)
DS_ALLOW(datasparse::BuiltinSchedule::close)
DS_ALLOW(datasparse::BuiltinSchedule::isClosed)

/* Callbacks: classes to subclass, and the views handed to updateMask. */
%unignore datasparse::Schedule;
%unignore datasparse::Schedule::Schedule;
%unignore datasparse::Schedule::~Schedule;
DS_ALLOW(datasparse::Schedule::compute)

%unignore datasparse::LambdaFactor;
%unignore datasparse::LambdaFactor::LambdaFactor;
%unignore datasparse::LambdaFactor::~LambdaFactor;
DS_ALLOW(datasparse::LambdaFactor::factor)

%unignore datasparse::Allreduce;
%unignore datasparse::Allreduce::Allreduce;
%unignore datasparse::Allreduce::~Allreduce;
DS_ALLOW(datasparse::Allreduce::sum)
%unignore datasparse::AllreduceCounts;
DS_ALLOW(datasparse::AllreduceCounts::size)
DS_ALLOW(datasparse::AllreduceCounts::get)
DS_ALLOW(datasparse::AllreduceCounts::set)
%unignore datasparse::LogHandler;
%unignore datasparse::LogHandler::LogHandler;
%unignore datasparse::LogHandler::~LogHandler;
DS_ALLOW(datasparse::LogHandler::log)
DS_ALLOW(datasparse::LogHandler::install)

%unignore datasparse::DataView;
DS_ALLOW(datasparse::DataView::rows)
DS_ALLOW(datasparse::DataView::cols)
DS_ALLOW(datasparse::DataView::size)
DS_ALLOW(datasparse::DataView::get)
DS_ALLOW(datasparse::DataView::copyTo)

%unignore datasparse::MaskView;
DS_ALLOW(datasparse::MaskView::rows)
DS_ALLOW(datasparse::MaskView::cols)
DS_ALLOW(datasparse::MaskView::size)
DS_ALLOW(datasparse::MaskView::get)
DS_ALLOW(datasparse::MaskView::set)
DS_ALLOW(datasparse::MaskView::fill)
DS_ALLOW(datasparse::MaskView::copyTo)
DS_ALLOW(datasparse::MaskView::copyFrom)

/* ---------------------------------------------------------------------
 * 3. Exceptions. Every wrapper catches whatever the C++ layer throws; the
 *    status, the message and the "closed" case are classified once
 *    (ds_binding::current_failure) and raised as the language's exception
 *    for that status (its hook). An exception thrown in a callback written
 *    in the language is kept by the language's director hook, fails the
 *    call with DS_ERR_CALLBACK, and becomes the cause of that exception.
 *    A view used after its callback, and a closed handle used in any way,
 *    raise the language's "closed" exception with status DS_ERR_STATE.
 * --------------------------------------------------------------------- */
%exception {
  try {
    $action
  } catch (...) {
    DS_RAISE(ds_binding::current_failure());
    DS_FAIL;
  }
}

/* Proxies of callback views are detached when their callback returns. */
%typemap(check, noblock=1) SWIGTYPE *self {
  if (!$1) {
    DS_RAISE(ds_binding::expired("$1_basetype"));
    DS_FAIL;
  }
}

/* ---------------------------------------------------------------------
 * 4. Handles and callbacks.
 *  - Every handle class has close() and isClosed(); a language's own
 *    delete of the wrapper goes through detail::release for the classes
 *    whose calls run user code (a callback that closes its own sparsifier
 *    or scheduler: the deletion waits until that call returns).
 *  - The built-in schedules' factories return a new object.
 *  - Subclassable in every language: Schedule, LambdaFactor,
 *    DataSparsifier, LogHandler (log() must not throw: the language's hook
 *    drops what it throws).
 * --------------------------------------------------------------------- */
%extend datasparse::Sparsifier {
    ~Sparsifier() { datasparse::detail::release($self); }
}
%extend datasparse::DataNormSparsifier {
    ~DataNormSparsifier() { datasparse::detail::release(static_cast<datasparse::Sparsifier *>($self)); }
}
%extend datasparse::DataSparsifier {
    ~DataSparsifier() { datasparse::detail::release(static_cast<datasparse::Sparsifier *>($self)); }
}
%extend datasparse::DataScheduler {
    ~DataScheduler() { datasparse::detail::release($self); }
}
%newobject datasparse::BuiltinSchedule::gamma;
%newobject datasparse::BuiltinSchedule::step;
%newobject datasparse::BuiltinSchedule::lambda;
%newobject datasparse::BuiltinSchedule::cubic;
%newobject datasparse::BuiltinSchedule::polynomialDecay;
%newobject datasparse::BuiltinSchedule::constant;

%feature("director") datasparse::DataSparsifier;
%warnfilter(514) datasparse::DataSparsifier;  /* its destructor is Sparsifier's, virtual */
%feature("director") datasparse::Schedule;
%feature("director") datasparse::LambdaFactor;
%feature("director") datasparse::Allreduce;
%feature("director") datasparse::LogHandler;

/* ---------------------------------------------------------------------
 * 5. The language's surface (its typemaps and renames come before the
 *    declarations they apply to).
 * --------------------------------------------------------------------- */
#if defined(SWIGJAVA)
%include "java/datasparse_java.i"
#elif defined(SWIGCSHARP)
%include "csharp/datasparse_csharp.i"
#elif defined(SWIGPYTHON)
%include "python/datasparse_python.i"
#endif

/* ---------------------------------------------------------------------
 * 6. The enums, from the C header: Status (ds_status), Norm (ds_norm),
 *    LogLevel (ds_log_level) and DType (ds_dtype), with the header's names
 *    and values (every language's status table is this one); then the C++
 *    layer. A language whose DS_ENUM_ITEMS leaves out DS_DTYPE_ items has
 *    no DType constants (it maps dtypes its own way).
 * --------------------------------------------------------------------- */
%include <datasparse/datasparse.h>
%include "datasparse.hpp"
