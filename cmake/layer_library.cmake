# htp_layer_library(NAME DIR DEPS...): a static library of DIR/**/*.cpp linked to DEPS — or, while DIR has no sources
# yet, an interface library with the same dependencies, so that the tree configures at every step.
function(htp_layer_library name dir)
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${dir}/*.cpp)
  if(sources)
    add_library(${name} STATIC ${sources})
    target_link_libraries(${name} PUBLIC ${ARGN})
  else()
    add_library(${name} INTERFACE)
    target_link_libraries(${name} INTERFACE ${ARGN})
  endif()
endfunction()
