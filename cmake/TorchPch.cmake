# One precompiled <torch/torch.h>, reused (REUSE_FROM) by every target with
# LibTorch sources. Torch-free sources in those targets opt out with
# slimlab_no_pch(<files>) so that they stay fast and honest about their includes.
add_library(slimlab_torch_pch OBJECT ${CMAKE_SOURCE_DIR}/cmake/torch_pch.cpp)
target_link_libraries(slimlab_torch_pch PUBLIC slimlab_torch)
target_precompile_headers(slimlab_torch_pch PRIVATE <torch/torch.h>)

function(slimlab_use_torch_pch target)
  target_precompile_headers(${target} REUSE_FROM slimlab_torch_pch)
endfunction()

function(slimlab_no_pch)
  set_source_files_properties(${ARGN} PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
endfunction()
