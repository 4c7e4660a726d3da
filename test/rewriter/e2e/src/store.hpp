#pragma once
#include <string>

bool save(const std::string& key, const std::string& value);
int read_limit();
void crash_point();
int retry();
void where();
bool disk_ok();
