/* limit.h: the C part of the program. */
#ifndef LIMIT_H
#define LIMIT_H
#ifdef __cplusplus
extern "C" {
#endif
long write_limit(void);
#ifdef __cplusplus
}
#endif
#endif
