//! Import policy for pickles: which `module.name` a load may call.
//!
//! Order of decisions (first match wins):
//! 1. `builtins`/`__builtin__`: type constructors (`set`, `dict`, ...) are safe, [`DANGEROUS_BUILTINS`]
//!    are malicious, any other builtin is unknown (suspicious).
//! 2. Deny-list prefix: the dotted path `module.name` starts with an entry of [`DENY`]
//!    (a whole module such as `os`, or an exact callable such as `torch.serialization.load`).
//! 3. Allow-list: exact names in [`ALLOW`], plus scikit-learn classes (see [`is_allowed`]).
//! 4. Attribute-chain escape: a dunder component in the name (PKL004), or any later component of
//!    the path that is one of [`STRONG_COMPONENTS`] (`pathlib.os.system`).
//! 5. Anything else is unknown (suspicious, PKL002).
//!
//! The deny-list is the union of picklescan 1.0.5, modelscan 0.8.8 and fickling 0.1.12's lists
//! plus the bypasses in the reference notes; the allow-list is what PyTorch `weights_only`,
//! NumPy, scikit-learn and joblib checkpoints import.

/// What the policy says about one import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// On the allow-list.
    Safe,
    /// Neither allowed nor denied.
    Unknown,
    /// Denied: known dangerous.
    Dangerous,
    /// Reaches object internals through a dunder attribute.
    Dunder,
}

/// Builtins a load may construct: plain data types, no function that reaches code, files or attributes.
pub const SAFE_BUILTINS: &[&str] = &[
    "bool",
    "int",
    "float",
    "complex",
    "str",
    "bytes",
    "bytearray",
    "list",
    "tuple",
    "set",
    "frozenset",
    "dict",
    "slice",
    "range",
    "object",
    "NoneType",
    "Ellipsis",
    "NotImplemented",
];

/// Builtins that execute code, import, read files or reach arbitrary attributes.
pub const DANGEROUS_BUILTINS: &[&str] = &[
    "eval",
    "exec",
    "execfile",
    "compile",
    "open",
    "getattr",
    "setattr",
    "delattr",
    "__import__",
    "apply",
    "breakpoint",
    "globals",
    "locals",
    "vars",
    "input",
    "reload",
    "help",
    "exit",
    "quit",
    "memoryview",
    "type",
    "super",
    "classmethod",
    "staticmethod",
    "property",
    "print",
    "dir",
];

/// Deny-list: a dotted path equal to an entry, or starting with `entry.`, is dangerous.
pub const DENY: &[&str] = &[
    // processes and the interpreter
    "os",
    "posix",
    "nt",
    "subprocess",
    "_posixsubprocess",
    "sys",
    "pty",
    "commands",
    "multiprocessing",
    "_multiprocessing",
    "concurrent",
    "signal",
    "_signal",
    "threading",
    "_thread",
    "atexit",
    "resource",
    "pexpect",
    "pipes",
    // code execution and compilation
    "runpy",
    "code",
    "codeop",
    "marshal",
    "types",
    "timeit",
    "pdb",
    "bdb",
    "cProfile",
    "profile",
    "_lsprof",
    "trace",
    "doctest",
    "unittest",
    "inspect",
    "gc",
    "site",
    "_interpreters",
    "_xxsubinterpreters",
    "compileall",
    "py_compile",
    "pydoc",
    "_pyrepl",
    "test",
    "ctypes",
    "_ctypes",
    "cffi",
    // imports
    "importlib",
    "_frozen_importlib",
    "_frozen_importlib_external",
    "_imp",
    "imp",
    "pkgutil",
    "zipimport",
    // nested loaders
    "pickle",
    "_pickle",
    "cPickle",
    "dill",
    "cloudpickle",
    "joblib.load",
    "joblib.numpy_pickle.load",
    "shelve",
    "torch.load",
    "torch.serialization.load",
    "torch.storage._load_from_bytes",
    "numpy.load",
    "numpy.lib.npyio.load",
    "numpy.lib._npyio_impl.load",
    "pandas.read_pickle",
    "pandas.io.pickle",
    "torch.hub",
    "torch.package",
    // files
    "shutil",
    "tempfile",
    "filecmp",
    "fileinput",
    "glob",
    "linecache",
    "io.open",
    "io.FileIO",
    "_io.open",
    "_io.FileIO",
    "pathlib",
    "tarfile",
    "zipfile",
    "mmap",
    "logging",
    "syslog",
    "sqlite3",
    "_sqlite3",
    "distutils",
    "setuptools",
    "difflib",
    "platform",
    // network
    "socket",
    "_socket",
    "ssl",
    "select",
    "selectors",
    "socketserver",
    "xmlrpc",
    "http",
    "httplib",
    "urllib",
    "urllib2",
    "urllib3",
    "requests",
    "aiohttp",
    "httpx",
    "asyncio",
    "webbrowser",
    "smtplib",
    "imaplib",
    "ftplib",
    "poplib",
    "telnetlib",
    "nntplib",
    "pandas.read_csv",
    "pandas.read_json",
    "pandas.read_html",
    "pandas.read_xml",
    "pandas.read_table",
    // installers and tooling
    "venv",
    "ensurepip",
    "pip",
    "idlelib",
    "lib2to3",
    "uuid",
    "_osx_support",
    "_aix_support",
    // gadget callables
    "operator",
    "_operator",
    "functools",
    // ML frameworks' code-running entry points
    "torch._dynamo",
    "torch._inductor",
    "torch.jit",
    "torch.compile",
    "torch.fx",
    "torch.utils.collect_env",
    "torch.utils.bottleneck",
    "torch.utils._config_module",
    "torch.utils.data.datapipes.utils.decoder",
    "torch.distributed",
    "torch._C._jit",
    "numpy.f2py",
    "numpy.distutils",
    "numpy.testing",
    "numpy.ctypeslib",
    "mlflow",
    "keras.utils.get_file",
    "tensorflow.io",
    "tensorflow.keras.utils.get_file",
    // scanners (deactivation attempts)
    "fickling",
    "picklescan",
    "modelscan",
    "model_unpickler",
    "saferpickle",
    "modelaudit",
];

/// Allow-list: exact `module.name` paths that checkpoints use and that only build data.
pub const ALLOW: &[&str] = &[
    "collections.OrderedDict",
    "collections.defaultdict",
    "collections.Counter",
    "collections.deque",
    "_codecs.encode",
    "copyreg._reconstructor",
    "copy_reg._reconstructor",
    "__builtin__.set",
    "datetime.datetime",
    "datetime.date",
    "datetime.time",
    "datetime.timedelta",
    "datetime.timezone",
    "decimal.Decimal",
    "fractions.Fraction",
    // PyTorch: tensor rebuild helpers, storages, dtypes and layouts (`weights_only` set)
    "torch._utils._rebuild_tensor",
    "torch._utils._rebuild_tensor_v2",
    "torch._utils._rebuild_tensor_v3",
    "torch._utils._rebuild_parameter",
    "torch._utils._rebuild_parameter_with_state",
    "torch._utils._rebuild_sparse_tensor",
    "torch._utils._rebuild_nested_tensor",
    "torch._utils._rebuild_qtensor",
    "torch._utils._rebuild_meta_tensor_no_storage",
    "torch._utils._rebuild_wrapper_subclass",
    "torch._utils._rebuild_device_tensor_from_numpy",
    "torch._tensor._rebuild_from_type_v2",
    "torch.nn.parameter.Parameter",
    "torch.Tensor",
    "torch.Size",
    "torch.device",
    "torch.serialization._get_layout",
    "torch.strided",
    "torch.sparse_coo",
    "torch.sparse_csr",
    "torch.per_tensor_affine",
    "torch.per_channel_affine",
    "torch.FloatStorage",
    "torch.DoubleStorage",
    "torch.HalfStorage",
    "torch.BFloat16Storage",
    "torch.LongStorage",
    "torch.IntStorage",
    "torch.ShortStorage",
    "torch.CharStorage",
    "torch.ByteStorage",
    "torch.BoolStorage",
    "torch.ComplexFloatStorage",
    "torch.ComplexDoubleStorage",
    "torch.QUInt8Storage",
    "torch.QInt8Storage",
    "torch.QInt32Storage",
    "torch.QUInt4x2Storage",
    "torch.QUInt2x4Storage",
    "torch.UntypedStorage",
    "torch.storage.UntypedStorage",
    "torch.storage.TypedStorage",
    "torch.float32",
    "torch.float64",
    "torch.float16",
    "torch.bfloat16",
    "torch.int64",
    "torch.int32",
    "torch.int16",
    "torch.int8",
    "torch.uint8",
    "torch.bool",
    "torch.complex64",
    "torch.complex128",
    "torch.float8_e4m3fn",
    "torch.float8_e5m2",
    "torch.qint8",
    "torch.quint8",
    "torch.qint32",
    // NumPy arrays, scalars, dtypes, random states
    "numpy.ndarray",
    "numpy.dtype",
    "numpy.core.multiarray._reconstruct",
    "numpy._core.multiarray._reconstruct",
    "numpy.core.multiarray.scalar",
    "numpy._core.multiarray.scalar",
    "numpy.core.numeric._frombuffer",
    "numpy._core.numeric._frombuffer",
    "numpy.ma.core._mareconstruct",
    "numpy.random._pickle.__randomstate_ctor",
    "numpy.random._pickle.__generator_ctor",
    "numpy.random._pickle.__bit_generator_ctor",
    "numpy.random.mtrand.RandomState",
    "numpy.random._mt19937.MT19937",
    "numpy.random._pcg64.PCG64",
    "numpy.random._philox.Philox",
    "numpy.random._sfc64.SFC64",
    "numpy.random.bit_generator.SeedSequence",
    // joblib's array wrapper (the array bytes follow it and are skipped, not unpickled)
    "joblib.numpy_pickle.NumpyArrayWrapper",
];

/// Dangerous module names that, as any later component of an attribute chain, reach the module
/// (`pathlib.os.system`, `numpy.sys.modules`).
pub const STRONG_COMPONENTS: &[&str] = &[
    "os",
    "posix",
    "nt",
    "subprocess",
    "sys",
    "pty",
    "builtins",
    "__builtin__",
    "runpy",
    "importlib",
    "marshal",
    "pickle",
    "_pickle",
    "socket",
    "shutil",
    "ctypes",
    "codeop",
    "webbrowser",
    "commands",
    "eval",
    "exec",
    "compile",
    "system",
    "popen",
    "spawn",
    "execv",
    "execve",
    "execl",
    "__import__",
    "getattr",
    "import_module",
    "loads",
];

/// Whether `path` equals `entry` or is inside it (`entry.`-prefixed).
fn under(path: &str, entry: &str) -> bool {
    path == entry
        || (path.len() > entry.len()
            && path.starts_with(entry)
            && path.as_bytes()[entry.len()] == b'.')
}

/// True for `__name__`-style components (not `__private` names such as `__randomstate_ctor`).
fn is_dunder(c: &str) -> bool {
    c.len() > 4 && c.starts_with("__") && c.ends_with("__")
}

/// Whether an import is on the allow-list.
pub fn is_allowed(module: &str, name: &str) -> bool {
    let full = format!("{module}.{name}");
    if ALLOW.contains(&full.as_str()) {
        return true;
    }
    // scikit-learn estimators, transformers and their tree/loss internals: classes only
    // (CamelCase, no attribute chain), from an `sklearn.` module.
    if under(module, "sklearn")
        && !name.contains('.')
        && name.starts_with(|c: char| c.is_ascii_uppercase())
        && !module
            .split('.')
            .any(|c| c == "_testing" || c == "externals")
    {
        return true;
    }
    // numpy 2's per-dtype classes, e.g. numpy.dtypes.Float64DType.
    (module == "numpy.dtypes") && name.ends_with("DType") && !name.contains('.')
}

/// Classify one import `module.name`.
pub fn classify(module: &str, name: &str) -> Class {
    let first = name.split('.').next().unwrap_or(name);
    let name_dunder = name.split('.').any(is_dunder);
    if matches!(module, "builtins" | "__builtin__" | "__builtins__") {
        if DANGEROUS_BUILTINS.contains(&first) {
            return Class::Dangerous;
        }
        if name_dunder {
            return Class::Dunder;
        }
        if SAFE_BUILTINS.contains(&first) && !name.contains('.') {
            return Class::Safe;
        }
        return Class::Unknown;
    }
    let full = format!("{module}.{name}");
    if DENY.iter().any(|e| under(&full, e) || under(module, e)) {
        return Class::Dangerous;
    }
    if is_allowed(module, name) {
        return Class::Safe;
    }
    if name_dunder {
        return Class::Dunder;
    }
    if full
        .split('.')
        .skip(1)
        .any(|c| STRONG_COMPONENTS.contains(&c))
    {
        return Class::Dangerous;
    }
    Class::Unknown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_known_cases() {
        assert_eq!(classify("os", "system"), Class::Dangerous);
        assert_eq!(classify("posix", "system"), Class::Dangerous);
        assert_eq!(classify("os.path", "join"), Class::Dangerous);
        assert_eq!(classify("builtins", "eval"), Class::Dangerous);
        assert_eq!(classify("__builtin__", "eval.__call__"), Class::Dangerous);
        assert_eq!(classify("builtins", "__import__"), Class::Dangerous);
        assert_eq!(classify("builtins", "set"), Class::Safe);
        assert_eq!(classify("builtins", "len"), Class::Unknown);
        assert_eq!(classify("operator", "attrgetter"), Class::Dangerous);
        assert_eq!(
            classify("numpy.testing._private.utils", "runstring"),
            Class::Dangerous
        );
        assert_eq!(classify("torch.serialization", "load"), Class::Dangerous);
        assert_eq!(classify("torch._utils", "_rebuild_tensor_v2"), Class::Safe);
        assert_eq!(classify("collections", "OrderedDict"), Class::Safe);
        assert_eq!(
            classify("collections", "OrderedDict.fromkeys"),
            Class::Unknown
        );
        assert_eq!(classify("pathlib", "os.system"), Class::Dangerous);
        assert_eq!(classify("numpy", "__builtins__"), Class::Dunder);
        assert_eq!(classify("numpy", "size.__globals__"), Class::Dunder);
        assert_eq!(classify("numpy", "prod.a"), Class::Unknown);
        assert_eq!(
            classify("numpy.random._pickle", "__randomstate_ctor"),
            Class::Safe
        );
        assert_eq!(
            classify("sklearn.linear_model._logistic", "LogisticRegression"),
            Class::Safe
        );
        assert_eq!(classify("sklearn.utils", "deprecated"), Class::Unknown);
        assert_eq!(classify("__main__", "Net"), Class::Unknown);
        assert_eq!(
            classify("multiprocessing.util", "spawnv_passfds"),
            Class::Dangerous
        );
        assert_eq!(classify("torch.utils.collect_env", "run"), Class::Dangerous);
        assert_eq!(classify("osmosis", "x"), Class::Unknown);
        assert_eq!(classify("functools", "partial"), Class::Dangerous);
    }
}
