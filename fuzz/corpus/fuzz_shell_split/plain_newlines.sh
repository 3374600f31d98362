git commit -m "first
second" &&
  git log -1
