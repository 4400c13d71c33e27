# The native backend: one addon, per-ISA static libraries compiled with their own -m flags
# (x64 only), chosen at run time by native/cpu_features.cc. On other architectures only the
# portable translation units are built.
{
  "target_defaults": {
    "cflags_cc": ["-O3", "-std=c++17", "-fno-math-errno", "-ffp-contract=off", "-Wno-psabi"],
    "cflags_cc!": ["-fno-exceptions", "-O2", "-O1", "-Os"],
    "cflags!": ["-fno-exceptions", "-O2", "-O1", "-Os"],
    "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
    "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
    "conditions": [["target_arch=='x64'", {"defines": ["TESSERA_X64"]}]],
    "xcode_settings": {"GCC_ENABLE_CPP_EXCEPTIONS": "YES", "OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=c++17"]}
  },
  "targets": [
    {
      "target_name": "tessera",
      "sources": [
        "native/addon.cc",
        "native/cpu_features.cc",
        "native/thread_pool.cc",
        "native/gemm.cc",
        "native/elementwise.cc",
        "native/reduce.cc",
        "native/conv.cc",
        "native/conv_direct.cc",
        "native/optim.cc",
        "native/peak.cc",
        "native/gather.cc",
        "native/random.cc",
        "native/gemm_portable.cc",
        "native/simd_portable.cc"
      ],
      "conditions": [
        ["target_arch=='x64'", {"dependencies": ["tessera_avx2", "tessera_avx512"]}]
      ]
    }
  ],
  "conditions": [
    ["target_arch=='x64'", {
      "targets": [
        {
          "target_name": "tessera_avx2",
          "type": "static_library",
          "sources": ["native/gemm_avx2.cc", "native/simd_avx2.cc"],
          "cflags_cc": ["-mavx2", "-mfma", "-fPIC"],
          "xcode_settings": {"OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=c++17", "-mavx2", "-mfma"]}
        },
        {
          "target_name": "tessera_avx512",
          "type": "static_library",
          "sources": ["native/gemm_avx512.cc", "native/simd_avx512.cc"],
          "cflags_cc": ["-mavx512f", "-mavx512dq", "-mavx512bw", "-mavx512vl", "-mavx2", "-mfma", "-fPIC"],
          "xcode_settings": {"OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=c++17", "-mavx512f", "-mavx512dq", "-mavx512bw", "-mavx512vl", "-mavx2", "-mfma"]}
        }
      ]
    }]
  ]
}
