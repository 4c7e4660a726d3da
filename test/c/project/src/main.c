/* main.c: runs one store function (argv[1]) and prints its outcome; `control` switches the
 * store's failpoints through failpoint/control.h when built with failpoints. */
#include <stdio.h>
#include <string.h>

#include "plugin.h"
#include "store.h"

#ifdef C_CONTROL
#include <failpoint/control.h>

/* Prints "<what>: <code> <message>" for a control call. */
static void show(const char* what, int code) {
  printf("%s: %d %s\n", what, code, code == FAILPOINT_OK ? "" : failpoint_last_error());
}

static int control(void) {
  struct failpoint_state st;
  show("enable", failpoint_enable("c.WriteLimit", "2*return(7)"));
  printf("limit %ld", store_limit());
  printf(" %ld", store_limit());
  printf(" %ld\n", store_limit());
  show("status", failpoint_status("c.WriteLimit", &st));
  printf("state %s terms=%s type=%s active=%d count=%llu sites=%zu\n", st.name, st.terms, st.type,
         st.active, (unsigned long long)st.count, st.sites);
  failpoint_state_release(&st);
  show("bad terms", failpoint_enable("c.WriteLimit", "3*retrun(1)"));
  show("unknown", failpoint_enable("c.WriteLimt", "return(1)"));
  show("unknown status", failpoint_status("c.Nope", &st));
  show("apply", failpoint_apply("c.SaveFails=return(true);c.Reason=return(\"full\")", 0));
  printf("save %d reason %s\n", store_save(), store_reason());
  show("disable", failpoint_disable("c.SaveFails"));
  show("disable all", failpoint_disable_all());
  printf("save %d reason %s\n", store_save(), store_reason());
  show("wait", failpoint_wait_for("c.Retry", 1, 10));
  show("library site", failpoint_status("c.plugin.Answer", &st));
  printf("state %s type=%s sites=%zu\n", st.name, st.type, st.sites);
  failpoint_state_release(&st);
  return 0;
}
#endif

int main(int argc, char** argv) {
  const char* cmd = argc > 1 ? argv[1] : "";
  if (strcmp(cmd, "save") == 0) {
    printf("%s\n", store_save() == 0 ? "saved" : "save failed");
  } else if (strcmp(cmd, "limit") == 0) {
    printf("limit %ld\n", store_limit());
  } else if (strcmp(cmd, "reason") == 0) {
    printf("reason %s\n", store_reason());
  } else if (strcmp(cmd, "retry") == 0) {
    printf("attempts %d\n", store_retry());
  } else if (strcmp(cmd, "plugin") == 0) {
    printf("answer %d\n", plugin_answer());
  } else if (strcmp(cmd, "crash") == 0) {
    store_crash_point();
#ifdef C_CONTROL
  } else if (strcmp(cmd, "control") == 0) {
    return control();
#endif
  } else {
    fprintf(stderr, "usage: %s save|limit|reason|retry|plugin|crash|control\n", argv[0]);
    return 2;
  }
  return 0;
}
