#pragma once
int read_limit();
