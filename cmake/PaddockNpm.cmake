# paddock_npm_modules(stamp_var label): node_modules of the current folder from its lock
# file (`npm ci`), redone only when package.json or the lock file changes. Sets stamp_var to
# the file a target depends on to have them. scripts/install-deps usually did this already.
find_program(NPM_EXECUTABLE npm REQUIRED)

function(paddock_npm_modules stamp_var label)
  set(stamp ${CMAKE_CURRENT_SOURCE_DIR}/node_modules/.package-lock.json)
  add_custom_command(
    OUTPUT ${stamp}
    COMMAND ${NPM_EXECUTABLE} ci --no-audit --no-fund --loglevel=error
    DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/package.json ${CMAKE_CURRENT_SOURCE_DIR}/package-lock.json
    WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}
    COMMENT "${label}: npm ci"
    VERBATIM)
  set(${stamp_var} ${stamp} PARENT_SCOPE)
endfunction()
