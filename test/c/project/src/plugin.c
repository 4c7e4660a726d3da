/* plugin.c: a C failpoint in a shared library; its sites are registered from the library's own
 * section when it loads. */
#include "plugin.h"

int plugin_answer(void) {
  int answer = 42;
  // failpoint: var Answer int
  // answer = Answer;
  return answer;
}
