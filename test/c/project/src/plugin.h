/* plugin.h: the shared library of the C end-to-end test. */
#ifndef C_PLUGIN_H
#define C_PLUGIN_H

/* 42, or the value of the failpoint Answer (in the shared library). */
int plugin_answer(void);

#endif
