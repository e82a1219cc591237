from bulletin.cli import main

if __name__ == "__main__":  # not when a child process (the publisher's helper) imports its parent's main module
    main()
